#include "GrantKey.h"

#include <cstdlib>
#include <cstring>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace vmm {

namespace {

constexpr std::string_view kGrantContext = "airlock-dataset-grant-v1\n";

int hexValue(char digit)
{
    if (digit >= '0' && digit <= '9')
        return digit - '0';
    if (digit >= 'a' && digit <= 'f')
        return digit - 'a' + 10;
    if (digit >= 'A' && digit <= 'F')
        return digit - 'A' + 10;
    return -1;
}

// 64 hex digits into 32 bytes; false (and `out` zeroed) on anything else.
bool parseHex32(std::string_view hex, std::array<uint8_t, 32>& out)
{
    if (hex.size() != out.size() * 2)
        return false;
    for (size_t index = 0; index < out.size(); ++index) {
        int high = hexValue(hex[2 * index]);
        int low = hexValue(hex[2 * index + 1]);
        if (high < 0 || low < 0) {
            OPENSSL_cleanse(out.data(), out.size());
            return false;
        }
        out[index] = static_cast<uint8_t>(high << 4 | low);
    }
    return true;
}

} // namespace

Result<GrantKey> parseGrantKey(std::string& hex)
{
    GrantKey key {};
    bool parsed = parseHex32(hex, key);
    OPENSSL_cleanse(hex.data(), hex.size());
    hex.clear();
    if (!parsed)
        return failure(Error::invalid("dataset grant key",
            std::string(kGrantKeyVariable) + " must be 64 hexadecimal digits (32 bytes)"));
    return key;
}

Result<std::optional<GrantKey>> takeGrantKeyFromEnvironment()
{
    char* value = std::getenv(kGrantKeyVariable);
    if (value == nullptr)
        return std::optional<GrantKey>();
    std::string hex(value);
    // The environment string itself (also what /proc/self/environ shows) is wiped, then removed.
    OPENSSL_cleanse(value, std::strlen(value));
    ::unsetenv(kGrantKeyVariable);
    GrantKey key = VMM_TRY(parseGrantKey(hex));
    return std::optional<GrantKey>(key);
}

void wipeGrantKey(GrantKey& key)
{
    OPENSSL_cleanse(key.data(), key.size());
}

Result<GrantMac> hmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message)
{
    GrantMac mac {};
    unsigned length = 0;
    if (::HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(),
            message.size(), mac.data(), &length) == nullptr ||
        length != mac.size())
        return failure(Error::invalid("HMAC-SHA256", "OpenSSL could not compute it"));
    return mac;
}

Result<GrantMac> grantMac(
    std::span<const uint8_t, 32> key, std::string_view name, std::string_view hostPath)
{
    std::string message;
    message.reserve(kGrantContext.size() + name.size() + 1 + hostPath.size());
    message.append(kGrantContext).append(name).append(1, '\n').append(hostPath);
    // Safety: the chars of a std::string read as bytes of the same size and count.
    return hmacSha256(key, {reinterpret_cast<const uint8_t*>(message.data()), message.size()});
}

Result<GrantMac> parseGrantMac(std::string_view hex)
{
    GrantMac mac {};
    if (!parseHex32(hex, mac))
        return failure(Error::invalid(
            "dataset grant", "the grant must be 64 hexadecimal digits (HMAC-SHA256)"));
    return mac;
}

} // namespace vmm
