#pragma once

#include "sys/Result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vmm {

/// A session's dataset grant key: 32 random bytes the app makes per session.
using GrantKey = std::array<uint8_t, 32>;
/// A grant's HMAC-SHA256: the app's authorization to open one dataset.
using GrantMac = std::array<uint8_t, 32>;

/// The environment variable the app passes the key in, as 64 hex digits.
inline constexpr const char kGrantKeyVariable[] = "AIRLOCK_DATASET_GRANT_KEY";

/// Parses 64 hex digits (either case) into 32 bytes; overwrites `hex` with zeros whatever happens.
Result<GrantKey> parseGrantKey(std::string& hex);
/// Reads AIRLOCK_DATASET_GRANT_KEY, overwrites the environment string in place and unsetenv()s it;
/// std::nullopt when it is not set (hot-add is off), an error when it is malformed.
Result<std::optional<GrantKey>> takeGrantKeyFromEnvironment();
/// Overwrites a key with zeros (OPENSSL_cleanse: not optimised away).
void wipeGrantKey(GrantKey& key);

/// HMAC-SHA256(key, "airlock-dataset-grant-v1\n" + name + "\n" + hostPath): the app's
/// authorization for the VMM to open `hostPath` as dataset `name` (the app computes the same).
Result<GrantMac> grantMac(
    std::span<const uint8_t, 32> key, std::string_view name, std::string_view hostPath);
/// HMAC-SHA256 of `message` under `key` (any length): the primitive grantMac uses.
Result<GrantMac> hmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message);
/// Parses a grant as the control command carries it (64 hex digits, either case).
Result<GrantMac> parseGrantMac(std::string_view hex);

} // namespace vmm
