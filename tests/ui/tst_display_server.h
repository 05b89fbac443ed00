#pragma once

// A scripted RFB 3.8 server for the display tests: one end of a socketpair, written by hand byte
// by byte, so a test can play a good server or any malformed one. A thread writes the script,
// then records what the client sends until the client closes.

#include "DisplayConnection.h"

#include <mutex>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QPoint>

namespace displaytest {

inline void appendU16(QByteArray& bytes, quint16 value)
{
    bytes.append(char(value >> 8)).append(char(value & 0xff));
}

inline void appendU32(QByteArray& bytes, quint32 value)
{
    appendU16(bytes, quint16(value >> 16));
    appendU16(bytes, quint16(value & 0xffff));
}

/// Version, security type None, SecurityResult OK, then ServerInit announcing `nameLength`
/// (the real name's length unless a test lies).
inline QByteArray handshake(
    quint16 width, quint16 height, const QByteArray& name, qint64 nameLength = -1)
{
    QByteArray bytes("RFB 003.008\n");
    bytes.append(char(1)).append(char(1)); // one security type: None
    appendU32(bytes, 0); // SecurityResult: OK
    appendU16(bytes, width);
    appendU16(bytes, height);
    // Pixel format: 32 bpp, depth 24, little endian, true colour, 255/255/255, shifts 16/8/0.
    bytes.append(char(32)).append(char(24)).append(char(0)).append(char(1));
    appendU16(bytes, 255);
    appendU16(bytes, 255);
    appendU16(bytes, 255);
    bytes.append(char(16)).append(char(8)).append(char(0));
    bytes.append(3, char(0));
    appendU32(bytes, nameLength < 0 ? quint32(name.size()) : quint32(nameLength));
    bytes.append(name);
    return bytes;
}

/// A FramebufferUpdate header announcing `count` rectangles.
inline QByteArray updateHeader(quint16 count)
{
    QByteArray bytes;
    bytes.append(char(0)).append(char(0));
    appendU16(bytes, count);
    return bytes;
}

/// A rectangle header.
inline QByteArray rectangleHeader(
    quint16 x, quint16 y, quint16 width, quint16 height, qint32 encoding)
{
    QByteArray bytes;
    appendU16(bytes, x);
    appendU16(bytes, y);
    appendU16(bytes, width);
    appendU16(bytes, height);
    appendU32(bytes, quint32(encoding));
    return bytes;
}

/// A Raw rectangle with `image`'s pixels in the client's format (32-bit little endian 0x00RRGGBB).
inline QByteArray rawRectangle(quint16 x, quint16 y, const QImage& image)
{
    QByteArray bytes = rectangleHeader(x, y, quint16(image.width()), quint16(image.height()), 0);
    for (int row = 0; row < image.height(); ++row)
        for (int column = 0; column < image.width(); ++column) {
            const quint32 pixel = image.pixel(column, row) & 0xffffffu;
            bytes.append(char(pixel & 0xff))
                .append(char((pixel >> 8) & 0xff))
                .append(char((pixel >> 16) & 0xff))
                .append(char(0));
        }
    return bytes;
}

/// One key or pointer event the client sent.
struct ClientEvent {
    bool isKey = false;
    quint32 keysym = 0;
    bool down = false;
    QPoint position;
    quint32 buttons = 0;
};

class FakeServer {
public:
    FakeServer()
    {
        int pair[2] = {-1, -1};
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0) {
            m_serverSocket = pair[0];
            m_clientSocket = pair[1];
        }
    }

    ~FakeServer()
    {
        if (m_thread.joinable()) {
            ::shutdown(m_serverSocket, SHUT_RDWR);
            m_thread.join();
        }
        if (m_serverSocket >= 0)
            ::close(m_serverSocket);
        if (m_clientSocket >= 0)
            ::close(m_clientSocket);
    }

    /// Hands the client end to a DisplayConnection (once).
    app::DisplayConnector connector()
    {
        return [this]() -> app::Result<int> {
            return std::exchange(m_clientSocket, -1);
        };
    }

    /// Writes `script`, then (if `closeAfter`) ends the server's side of the stream; records
    /// what the client sends until it closes.
    void start(const QByteArray& script, bool closeAfter)
    {
        m_thread = std::thread([this, script, closeAfter] {
            write(script);
            if (closeAfter)
                ::shutdown(m_serverSocket, SHUT_WR);
            char buffer[4096];
            while (true) {
                const ssize_t count = ::read(m_serverSocket, buffer, sizeof buffer);
                if (count <= 0)
                    break;
                std::lock_guard lock(m_mutex);
                m_received.append(buffer, qsizetype(count));
            }
        });
    }

    /// Writes more bytes (from the test's thread).
    void write(const QByteArray& bytes)
    {
        qsizetype done = 0;
        while (done < bytes.size()) {
            const ssize_t count = ::send(m_serverSocket, bytes.constData() + done,
                size_t(bytes.size() - done), MSG_NOSIGNAL);
            if (count <= 0)
                return;
            done += count;
        }
    }

    /// The key and pointer events the client sent so far (after its handshake messages).
    QList<ClientEvent> events() const
    {
        QByteArray bytes;
        {
            std::lock_guard lock(m_mutex);
            bytes = m_received;
        }
        QList<ClientEvent> events;
        qsizetype at = 12 + 1 + 1; // version, security type, ClientInit
        auto byte = [&](qsizetype offset) {
            return quint32(quint8(bytes[offset]));
        };
        auto u16 = [&](qsizetype offset) {
            return quint16(byte(offset) << 8 | byte(offset + 1));
        };
        auto u32 = [&](qsizetype offset) {
            return quint32(u16(offset)) << 16 | u16(offset + 2);
        };
        while (at < bytes.size()) {
            const auto type = quint8(bytes[at]);
            qsizetype length = 0;
            if (type == 0)
                length = 20;
            else if (type == 2)
                length = at + 4 <= bytes.size() ? 4 + 4 * qsizetype(u16(at + 2)) : 4;
            else if (type == 3)
                length = 10;
            else if (type == 4)
                length = 8;
            else if (type == 5)
                length = 6;
            else
                break; // anything else ends the parse: tests then fail on what is missing
            if (at + length > bytes.size())
                break;
            if (type == 4)
                events.append({true, u32(at + 4), bytes[at + 1] != 0, {}, 0});
            else if (type == 5)
                events.append(
                    {false, 0, false, QPoint(u16(at + 2), u16(at + 4)), quint8(bytes[at + 1])});
            at += length;
        }
        return events;
    }

private:
    int m_serverSocket = -1;
    int m_clientSocket = -1;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    QByteArray m_received;
};

} // namespace displaytest
