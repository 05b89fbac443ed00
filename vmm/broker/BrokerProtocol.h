#pragma once

#include "GrantKey.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The dataset broker's wire format (one SOCK_SEQPACKET message each way): a fixed, packed header
// whose lengths must add up to the message's size exactly, then the name and path bytes; an
// opened descriptor travels as SCM_RIGHTS with the reply. Both sides check everything: the broker
// treats the VMM as untrusted, the VMM treats the broker's replies as input.
namespace vmm::broker {

/// Every message starts with it ("ABK1" little-endian); anything else is garbage.
inline constexpr uint32_t kMagic = 0x314b4241;
/// The longest dataset name a grant may carry.
inline constexpr uint32_t kMaxNameBytes = 255;
/// The longest host or relative path a request may carry.
inline constexpr uint32_t kMaxPathBytes = 4096;
/// The most datasets one broker grants.
inline constexpr uint32_t kMaxDatasets = 1024;

/// What the VMM asks.
enum class RequestKind : uint32_t {
    Grant = 1, ///< open a dataset authorized by the app's mac; answers a handle
    Open = 2, ///< open a path beneath a granted dataset; answers a descriptor
};

/// How the broker answered.
enum class Status : uint32_t {
    Ok = 0,
    Ready = 1, ///< the broker is confined and serving (its first message)
    Malformed = 2, ///< the request is not a well-formed message
    Refused = 3, ///< the grant's mac is wrong: the app did not authorize this dataset
    BadName = 4, ///< the dataset name is empty, too long, or holds '/' or NUL
    BadPath =
        5, ///< the path is too long, holds NUL, is absolute (open) or relative (grant), or has ".."
    BadHandle = 6, ///< no dataset was granted with that handle
    BadFlags = 7, ///< the open flags ask for more than reading
    OpenFailed = 8, ///< the system refused the open: errnoValue says why
    TooManyDatasets = 9, ///< kMaxDatasets already granted
    StartFailed = 10, ///< the broker could not confine itself: errnoValue says why
};

/// The fixed part of a request; the name then the path bytes follow it.
struct [[gnu::packed]] RequestHeader {
    uint32_t magic;
    uint32_t kind; // RequestKind
    uint64_t sequence; // echoed in the reply
    uint32_t handle; // Open: the dataset's handle
    uint32_t flags; // Open: the open flags
    uint32_t nameLength; // Grant: the dataset name's bytes
    uint32_t pathLength; // Grant: the host path's; Open: the relative path's
    uint8_t mac[32]; // Grant: HMAC-SHA256 (see grantMac)
};
static_assert(sizeof(RequestHeader) == 64);

/// The fixed part of a reply; a one-file dataset's file name follows it.
struct [[gnu::packed]] ReplyHeader {
    uint32_t magic;
    uint32_t status; // Status
    uint64_t sequence;
    int32_t errnoValue;
    uint32_t handle; // Grant: the new dataset's handle
    uint32_t oneFile; // Grant: 1 for a one-file dataset (its name follows)
    uint32_t nameLength;
};
static_assert(sizeof(ReplyHeader) == 32);

/// The most bytes a request can have.
inline constexpr size_t kMaxRequestBytes = sizeof(RequestHeader) + kMaxNameBytes + kMaxPathBytes;
/// The most bytes a reply can have.
inline constexpr size_t kMaxReplyBytes = sizeof(ReplyHeader) + kMaxNameBytes;

/// A decoded request.
struct Request {
    RequestKind kind = RequestKind::Open;
    uint64_t sequence = 0;
    uint32_t handle = 0;
    uint32_t flags = 0;
    std::string name;
    std::string path;
    GrantMac mac {};
};

/// A decoded reply.
struct Reply {
    Status status = Status::Ok;
    uint64_t sequence = 0;
    int errnoValue = 0;
    uint32_t handle = 0;
    bool oneFile = false;
    std::string fileName;
};

/// A request as bytes.
std::vector<uint8_t> encode(const Request& request);
/// A reply as bytes.
std::vector<uint8_t> encode(const Reply& reply);
/// Parses a request; Status::Malformed when the bytes are not one.
Result<Request> decodeRequest(std::span<const uint8_t> bytes);
/// Parses a reply; an error when the bytes are not one.
Result<Reply> decodeReply(std::span<const uint8_t> bytes);

/// Whether `name` can name a dataset: 1..255 bytes, no '/', no NUL, not "." or "..".
bool isValidDatasetName(std::string_view name);
/// Whether `path` can be opened beneath a dataset: "" (the base folder) or '/'-separated
/// non-empty components, none "." or "..", no NUL, not absolute, at most kMaxPathBytes.
bool isSafeRelativePath(std::string_view path);
/// Whether `path` can be granted: absolute, no NUL, at most kMaxPathBytes.
bool isValidHostPath(std::string_view path);

/// One message received, with the descriptors that came with it.
struct Message {
    std::vector<uint8_t> bytes;
    std::vector<UniqueFd> fds;
    bool truncated = false; // longer than asked for (the rest was dropped)
};

/// Sends one message (MSG_NOSIGNAL), with `fd` as SCM_RIGHTS when it is not -1.
Result<void> sendMessage(int socket, std::span<const uint8_t> bytes, int fd = -1);
/// Receives one message of at most `maxBytes` (MSG_CMSG_CLOEXEC); zero bytes and no error mean
/// the other side closed. EAGAIN when the socket's receive timeout ran out.
Result<Message> receiveMessage(int socket, size_t maxBytes);

} // namespace vmm::broker
