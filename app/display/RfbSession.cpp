#include "RfbSession.h"

#include "DisplayLimits.h"

#include <cstring>
#include <rfb/rfbclient.h>
#include <unistd.h>

#include <QCoreApplication>

namespace app {

namespace {

int clientTag = 0; // its address tags our pointer in the rfbClient's client data

void ignoreLog(const char*, ...)
{
}

QString translate(const char* text)
{
    return QCoreApplication::translate("app::DisplayConnection", text);
}

} // namespace

QString RfbSession::unreadableMessage(const QString& detail)
{
    QString message = translate("The session's display sent data Airlock cannot show, so it "
                                "was closed. Reopen the display; if this happens again, restart "
                                "the session.");
    if (!detail.isEmpty())
        message += QLatin1Char(' ') + detail;
    return message;
}

Result<std::unique_ptr<RfbSession>> RfbSession::create(int socket)
{
    // libvncclient logs through process-wide function pointers; keep it quiet (what matters
    // reaches the user as a failed() message).
    rfbClientLog = rfbClientErr = &ignoreLog;
    std::unique_ptr<RfbSession> session(new RfbSession());
    session->m_client = rfbGetClient(8, 3, 4);
    if (session->m_client == nullptr) {
        ::close(socket);
        return failure(translate("Airlock could not set up the display client (out of memory?). "
                                 "Close other programs and reopen the display."));
    }
    session->m_client->sock = socket;
    APP_TRY(session->initialise());
    return session;
}

Result<void> RfbSession::initialise()
{
    rfbClient* client = m_client;
    rfbClientSetClientData(client, &clientTag, this);
    // 32 bits per pixel, true colour, 0x00RRGGBB in host order: QImage::Format_RGB32's layout.
    client->format.bitsPerPixel = 32;
    client->format.depth = 24;
    client->format.trueColour = 1;
    client->format.bigEndian = Q_BYTE_ORDER == Q_BIG_ENDIAN ? 1 : 0;
    client->format.redMax = client->format.greenMax = client->format.blueMax = 255;
    client->format.redShift = 16;
    client->format.greenShift = 8;
    client->format.blueShift = 0;
    client->appData.encodingsString = "copyrect zrle raw";
    client->appData.useRemoteCursor = FALSE;
    client->appData.enableJPEG = FALSE;
    client->canHandleNewFBSize = FALSE;
    client->MallocFrameBuffer = &RfbSession::mallocFrameBuffer;
    client->GotFrameBufferUpdate = &RfbSession::gotFrameBufferUpdate;
    client->GotBitmap = &RfbSession::gotBitmap;
    client->GotFillRect = &RfbSession::gotFillRect;
    client->GotCopyRect = &RfbSession::gotCopyRect;
    client->GotXCutText = &RfbSession::gotCutText; // no clipboard: server text is dropped
    client->GetPassword = &RfbSession::refusePassword; // never the library's terminal prompt
    // Only security type None: the stream is already private to this app and this session.
    const uint32_t schemes[] = {rfbNoAuth};
    SetClientAuthSchemes(client, schemes, 1);

    if (!InitialiseRFBConnection(client))
        return failure(unreadableMessage());
    const QString name = QString::fromUtf8(client->desktopName ? client->desktopName : "");
    for (QChar character : name.left(displaylimits::maximumNameLength))
        if (character.isPrint())
            m_desktopName += character;
    client->width = client->si.framebufferWidth;
    client->height = client->si.framebufferHeight;
    if (!client->MallocFrameBuffer(client))
        return failure(m_protocolError.isEmpty() ? unreadableMessage() : m_protocolError);
    client->updateRect.x = client->updateRect.y = 0;
    client->updateRect.w = client->width;
    client->updateRect.h = client->height;
    if (!SetFormatAndEncodings(client) ||
        !SendFramebufferUpdateRequest(client, 0, 0, client->width, client->height, FALSE))
        return failure(unreadableMessage());
    return {};
}

RfbSession::~RfbSession()
{
    if (m_client == nullptr)
        return;
    // The cursor shape buffers are not freed by rfbClientCleanup in 0.9.14.
    free(m_client->rcSource);
    free(m_client->rcMask);
    m_client->rcSource = m_client->rcMask = nullptr;
    m_client->frameBuffer = nullptr; // m_buffer's memory, not the library's
    rfbClientCleanup(m_client); // also closes the socket
}

int RfbSession::socket() const
{
    return m_client->sock;
}

bool RfbSession::hasBufferedData() const
{
    return m_client->buffered > 0;
}

Result<void> RfbSession::handleMessage()
{
    const bool handled = HandleRFBServerMessage(m_client);
    if (!m_protocolError.isEmpty())
        return failure(m_protocolError);
    if (!handled)
        return failure(unreadableMessage());
    return {};
}

QRect RfbSession::takeChangedArea()
{
    return std::exchange(m_changed, QRect());
}

bool RfbSession::takeResized()
{
    return std::exchange(m_resized, false);
}

Result<void> RfbSession::sendKey(quint32 keysym, bool down)
{
    if (!SendKeyEvent(m_client, keysym, down ? TRUE : FALSE))
        return failure(unreadableMessage());
    return {};
}

Result<void> RfbSession::sendPointer(QPoint position, quint32 buttons)
{
    const int x = std::clamp(position.x(), 0, std::max(0, m_buffer.width() - 1));
    const int y = std::clamp(position.y(), 0, std::max(0, m_buffer.height() - 1));
    if (!SendPointerEvent(m_client, x, y, static_cast<int>(buttons & 0xffu)))
        return failure(unreadableMessage());
    return {};
}

RfbSession* RfbSession::self(rfbClient* client)
{
    return static_cast<RfbSession*>(rfbClientGetClientData(client, &clientTag));
}

std::int8_t RfbSession::mallocFrameBuffer(rfbClient* client)
{
    RfbSession* session = self(client);
    const int width = client->width;
    const int height = client->height;
    const std::int64_t bytes = std::int64_t {width} * std::int64_t {height} * 4;
    client->frameBuffer = nullptr;
    session->m_buffer = QImage();
    if (width <= 0 || height <= 0 || width > displaylimits::maximumWidth ||
        height > displaylimits::maximumHeight || bytes > displaylimits::maximumFrameBytes) {
        session->m_protocolError = unreadableMessage(
            translate("(It announced a screen of %1×%2 pixels; Airlock shows at most %3×%4.)")
                .arg(width)
                .arg(height)
                .arg(displaylimits::maximumWidth)
                .arg(displaylimits::maximumHeight));
        return FALSE;
    }
    QImage buffer(width, height, QImage::Format_RGB32);
    if (buffer.isNull() || buffer.bytesPerLine() != qsizetype {width} * 4) {
        session->m_protocolError = translate("Airlock has too little memory to show the "
                                             "session's display. Close other programs and "
                                             "reopen the display.");
        return FALSE;
    }
    buffer.fill(Qt::black);
    session->m_buffer = std::move(buffer);
    // Safety: bits() detaches; m_buffer is never shared, so this pointer stays valid until the
    // next allocation here, and its rows are exactly width * 4 bytes as the library assumes.
    client->frameBuffer = session->m_buffer.bits();
    session->m_resized = true;
    session->m_changed = QRect(0, 0, width, height);
    return TRUE;
}

bool RfbSession::checkRectangle(int x, int y, int width, int height)
{
    const bool inside = x >= 0 && y >= 0 && width >= 0 && height >= 0 &&
        std::int64_t {x} + width <= m_buffer.width() &&
        std::int64_t {y} + height <= m_buffer.height();
    if (!inside && m_protocolError.isEmpty())
        m_protocolError = unreadableMessage(translate("(It drew outside its own screen.)"));
    return inside;
}

void RfbSession::gotFrameBufferUpdate(rfbClient* client, int x, int y, int width, int height)
{
    RfbSession* session = self(client);
    if (session->checkRectangle(x, y, width, height))
        session->m_changed |= QRect(x, y, width, height);
}

void RfbSession::gotBitmap(
    rfbClient* client, const uint8_t* data, int x, int y, int width, int height)
{
    RfbSession* session = self(client);
    if (!session->checkRectangle(x, y, width, height) || width == 0)
        return;
    const auto rowBytes = static_cast<size_t>(width) * 4;
    for (int row = 0; row < height; ++row) {
        // Safety: the rectangle lies inside m_buffer (checked above); `data` holds height rows
        // of width pixels in the 32-bit format we asked for (libvncclient's contract).
        std::memcpy(session->m_buffer.scanLine(y + row) + static_cast<size_t>(x) * 4,
            data + static_cast<size_t>(row) * rowBytes, rowBytes);
    }
}

void RfbSession::gotFillRect(
    rfbClient* client, int x, int y, int width, int height, uint32_t colour)
{
    RfbSession* session = self(client);
    if (!session->checkRectangle(x, y, width, height))
        return;
    for (int row = 0; row < height; ++row) {
        auto* line = reinterpret_cast<uint32_t*>(session->m_buffer.scanLine(y + row)) + x;
        std::fill(line, line + width, colour);
    }
}

void RfbSession::gotCopyRect(
    rfbClient* client, int sourceX, int sourceY, int width, int height, int x, int y)
{
    RfbSession* session = self(client);
    if (!session->checkRectangle(sourceX, sourceY, width, height) ||
        !session->checkRectangle(x, y, width, height) || width == 0)
        return;
    const auto rowBytes = static_cast<size_t>(width) * 4;
    // Rows in an order that never overwrites a source row before it is copied; memmove handles
    // the overlap within a row.
    const bool downwards = y > sourceY;
    for (int step = 0; step < height; ++step) {
        const int row = downwards ? height - 1 - step : step;
        std::memmove(session->m_buffer.scanLine(y + row) + static_cast<size_t>(x) * 4,
            session->m_buffer.constScanLine(sourceY + row) + static_cast<size_t>(sourceX) * 4,
            rowBytes);
    }
}

void RfbSession::gotCutText(rfbClient*, const char*, int)
{
}

char* RfbSession::refusePassword(rfbClient*)
{
    return nullptr;
}

} // namespace app
