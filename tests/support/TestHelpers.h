#pragma once

// Small helpers several engine tests share: error-message checks, files in a temporary folder and
// synthetic bzImages built in memory.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <asm/bootparam.h>

#include <QByteArray>
#include <QFile>
#include <QStringList>
#include <QTemporaryDir>

/// Whether `message` contains every one of `keywords`, for QVERIFY2.
inline bool containsAll(const std::string& message, const QStringList& keywords)
{
    return std::all_of(keywords.begin(), keywords.end(), [&](const QString& keyword) {
        return message.find(keyword.toStdString()) != std::string::npos;
    });
}

/// Writes `bytes` to `name` in `directory`; returns the path, or an empty string on failure.
inline QString writeTestFile(
    const QTemporaryDir& directory, const QString& name, const QByteArray& bytes)
{
    QFile file(directory.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return file.fileName();
}

/// The protected-mode kernel of a synthetic bzImage starts with this, so tests can see where a
/// parser cut the file.
inline constexpr char kSyntheticPayloadMarker[] = "PROTECTED-MODE-KERNEL";

/// A bzImage with `header` at 0x1f1, the jump at 0x200 with `jumpLength` (the header's length
/// minus 2), and a `payloadSize`-byte patterned protected-mode kernel after the setup sectors.
/// `syssize` is filled in from `announcedPayload`, or from the payload size.
inline std::vector<uint8_t> syntheticBzImage(setup_header header, size_t payloadSize = 64 * 1024,
    uint8_t jumpLength = 0x6a, std::optional<size_t> announcedPayload = {})
{
    constexpr size_t headerOffset = 0x1f1;
    header.syssize = static_cast<uint32_t>((announcedPayload.value_or(payloadSize) + 15) / 16);
    size_t setupSize = (header.setup_sects == 0 ? 4u : header.setup_sects + 0u) * 512 + 512;
    std::vector<uint8_t> bytes(setupSize + payloadSize, 0);
    std::array<uint8_t, sizeof(setup_header)> headerBytes {};
    std::memcpy(headerBytes.data(), &header, sizeof header);
    std::copy(headerBytes.begin(), headerBytes.end(), bytes.begin() + headerOffset);
    bytes[0x200] = 0xeb; // the short jump over the header
    bytes[0x201] = jumpLength;
    auto payload = bytes.begin() + static_cast<std::ptrdiff_t>(setupSize);
    for (size_t i = 0; i < payloadSize; ++i)
        payload[static_cast<std::ptrdiff_t>(i)] = static_cast<uint8_t>(0x80 | (i % 61));
    std::copy_n(
        kSyntheticPayloadMarker, std::min(payloadSize, sizeof kSyntheticPayloadMarker), payload);
    return bytes;
}
