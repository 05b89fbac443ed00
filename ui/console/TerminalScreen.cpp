#include "TerminalScreen.h"

#include <algorithm>

namespace ui {

namespace {

VTermColor toVTerm(const QColor& color)
{
    VTermColor result;
    vterm_color_rgb(&result, static_cast<uint8_t>(color.red()), static_cast<uint8_t>(color.green()),
        static_cast<uint8_t>(color.blue()));
    return result;
}

QRgb toRgb(const VTermColor& color)
{
    return qRgb(color.rgb.red, color.rgb.green, color.rgb.blue);
}

bool isBlank(const PackedCell& cell)
{
    return cell.characters[0] == 0 && cell.has(PackedCell::DefaultBackground) &&
        !cell.has(PackedCell::Reverse);
}

// Length of `bytes` without a UTF-8 sequence cut off at the end (at most 3 bytes held back).
std::size_t completeUtf8Prefix(const char* bytes, std::size_t length)
{
    for (std::size_t back = 1; back <= std::min<std::size_t>(3, length); ++back) {
        const auto byte = static_cast<unsigned char>(bytes[length - back]);
        if ((byte & 0xC0U) == 0x80U) {
            continue; // a continuation byte: look further back for its lead byte
        }
        if (byte < 0xC0U) {
            return length; // ASCII or a stray continuation run: nothing to wait for
        }
        const std::size_t needed = byte >= 0xF0U ? 4 : byte >= 0xE0U ? 3 : 2;
        return needed > back ? length - back : length;
    }
    return length;
}

} // namespace

// libvterm calls back through C function pointers with a void* user pointer: this struct is the
// one friend that turns them into member calls.
struct TerminalScreenCallbacks {
    static TerminalScreen& self(void* user) { return *static_cast<TerminalScreen*>(user); }

    static int damage(VTermRect rect, void* user)
    {
        self(user).markDamaged(rect.start_row, rect.end_row);
        return 1;
    }

    static int moveCursor(VTermPos position, VTermPos oldPosition, int /*visible*/, void* user)
    {
        self(user).markDamaged(oldPosition.row, oldPosition.row + 1);
        self(user).markDamaged(position.row, position.row + 1);
        return 1;
    }

    static int setTermProp(VTermProp property, VTermValue* value, void* user)
    {
        TerminalScreen& screen = self(user);
        switch (property) {
        case VTERM_PROP_CURSORVISIBLE:
            screen.m_cursorVisible = value->boolean != 0;
            break;
        case VTERM_PROP_CURSORBLINK:
            screen.m_cursorBlinking = value->boolean != 0;
            break;
        case VTERM_PROP_ALTSCREEN:
            screen.m_alternateScreen = value->boolean != 0;
            screen.markDamaged(0, screen.m_rows);
            break;
        case VTERM_PROP_MOUSE:
            screen.m_mouseMode = value->number;
            break;
        default:
            // Title, icon name, cursor shape: nothing the view shows yet.
            break;
        }
        const QPoint cursor = screen.cursor();
        screen.markDamaged(cursor.y(), cursor.y() + 1);
        return 1;
    }

    static int pushLine(int columns, const VTermScreenCell* cells, void* user)
    {
        TerminalScreen& screen = self(user);
        std::vector<PackedCell> line;
        line.reserve(static_cast<std::size_t>(columns));
        for (int column = 0; column < columns; ++column) {
            line.push_back(screen.pack(cells[column]));
        }
        while (!line.empty() && isBlank(line.back())) {
            line.pop_back();
        }
        screen.m_scrollback.push(std::move(line));
        return 1;
    }

    static int popLine(int columns, VTermScreenCell* cells, void* user)
    {
        TerminalScreen& screen = self(user);
        std::optional<std::vector<PackedCell>> line = screen.m_scrollback.popNewest();
        if (!line) {
            return 0;
        }
        const PackedCell blank = screen.blankCell();
        for (int column = 0; column < columns; ++column) {
            const auto index = static_cast<std::size_t>(column);
            cells[column] = screen.unpack(index < line->size() ? (*line)[index] : blank);
        }
        return 1;
    }

    static void output(const char* bytes, std::size_t length, void* user)
    {
        self(user).m_input.append(bytes, static_cast<qsizetype>(length));
    }
};

namespace {

const VTermScreenCallbacks screenCallbacks = {
    TerminalScreenCallbacks::damage,
    nullptr, // moverect: with row-merged damage, libvterm reports scrolls as damage
    TerminalScreenCallbacks::moveCursor,
    TerminalScreenCallbacks::setTermProp,
    nullptr, // bell
    nullptr, // resize
    TerminalScreenCallbacks::pushLine,
    TerminalScreenCallbacks::popLine,
};

} // namespace

TerminalScreen::TerminalScreen(
    int rows, int columns, const TerminalColorScheme& scheme, int scrollbackLines)
    : m_scheme(scheme)
    , m_scrollback(scrollbackLines)
    , m_rows(std::clamp(rows, 1, maximumRows))
    , m_columns(std::clamp(columns, 1, maximumColumns))
{
    m_terminal.reset(vterm_new(m_rows, m_columns));
    Q_CHECK_PTR(m_terminal.get());
    vterm_set_utf8(m_terminal.get(), 1);
    vterm_output_set_callback(m_terminal.get(), TerminalScreenCallbacks::output, this);

    VTermState* state = vterm_obtain_state(m_terminal.get());
    const VTermColor foreground = toVTerm(scheme.foreground);
    const VTermColor background = toVTerm(scheme.background);
    vterm_state_set_default_colors(state, &foreground, &background);
    for (int index = 0; index < static_cast<int>(scheme.ansi.size()); ++index) {
        const VTermColor color = toVTerm(scheme.ansi[static_cast<std::size_t>(index)]);
        vterm_state_set_palette_color(state, index, &color);
    }
    vterm_state_set_bold_highbright(state, 1);

    m_screen = vterm_obtain_screen(m_terminal.get());
    vterm_screen_set_callbacks(m_screen, &screenCallbacks, this);
    vterm_screen_set_damage_merge(m_screen, VTERM_DAMAGE_ROW);
    vterm_screen_enable_altscreen(m_screen, 1);
    vterm_screen_reset(m_screen, 1);
    markDamaged(0, m_rows);
}

TerminalScreen::~TerminalScreen() = default;

void TerminalScreen::write(const char* bytes, std::size_t length)
{
    // libvterm 0.1.4 turns a UTF-8 sequence split across two writes into U+FFFD, so an
    // incomplete sequence at the end waits for the bytes that complete it.
    QByteArray joined;
    if (!m_utf8Tail.isEmpty()) {
        joined = m_utf8Tail + QByteArray(bytes, static_cast<qsizetype>(length));
        m_utf8Tail.clear();
        bytes = joined.constData();
        length = static_cast<std::size_t>(joined.size());
    }
    const std::size_t complete = completeUtf8Prefix(bytes, length);
    vterm_input_write(m_terminal.get(), bytes, complete);
    m_utf8Tail = QByteArray(bytes + complete, static_cast<qsizetype>(length - complete));
    vterm_screen_flush_damage(m_screen);
}

void TerminalScreen::resize(int rows, int columns)
{
    rows = std::clamp(rows, 1, maximumRows);
    columns = std::clamp(columns, 1, maximumColumns);
    if (rows == m_rows && columns == m_columns) {
        return;
    }
    m_rows = rows;
    m_columns = columns;
    vterm_set_size(m_terminal.get(), rows, columns);
    vterm_screen_flush_damage(m_screen);
    markDamaged(0, m_rows);
}

std::vector<PackedCell> TerminalScreen::row(int row) const
{
    std::vector<PackedCell> cells;
    cells.reserve(static_cast<std::size_t>(m_columns));
    for (int column = 0; column < m_columns; ++column) {
        cells.push_back(cell(row, column));
    }
    return cells;
}

PackedCell TerminalScreen::cell(int row, int column) const
{
    VTermScreenCell cell {};
    if (row < 0 || row >= m_rows || column < 0 || column >= m_columns ||
        vterm_screen_get_cell(m_screen, VTermPos {row, column}, &cell) == 0) {
        return blankCell();
    }
    return pack(cell);
}

QPoint TerminalScreen::cursor() const
{
    VTermPos position {};
    vterm_state_get_cursorpos(vterm_obtain_state(m_terminal.get()), &position);
    return {position.col, position.row};
}

std::optional<RowSpan> TerminalScreen::takeDamage()
{
    return std::exchange(m_damage, std::nullopt);
}

QByteArray TerminalScreen::takeInput()
{
    return std::exchange(m_input, QByteArray());
}

void TerminalScreen::sendBytes(const QByteArray& bytes)
{
    m_input.append(bytes);
}

PackedCell TerminalScreen::pack(const VTermScreenCell& cell) const
{
    PackedCell packed;
    // libvterm marks the right half of a wide character with (uint32_t)-1.
    if (cell.chars[0] == static_cast<uint32_t>(-1)) {
        packed.width = 0;
    } else {
        packed.characters[0] = cell.chars[0];
        packed.characters[1] = cell.chars[0] != 0 ? cell.chars[1] : 0;
        packed.width = static_cast<quint8>(std::clamp(static_cast<int>(cell.width), 1, 2));
    }
    VTermColor foreground = cell.fg;
    VTermColor background = cell.bg;
    quint16 attributes = 0;
    if (VTERM_COLOR_IS_DEFAULT_FG(&foreground)) {
        attributes |= PackedCell::DefaultForeground;
    }
    if (VTERM_COLOR_IS_DEFAULT_BG(&background)) {
        attributes |= PackedCell::DefaultBackground;
    }
    vterm_screen_convert_color_to_rgb(m_screen, &foreground);
    vterm_screen_convert_color_to_rgb(m_screen, &background);
    packed.foreground = toRgb(foreground);
    packed.background = toRgb(background);
    const auto set = [&attributes](bool on, PackedCell::Attribute attribute) {
        if (on) {
            attributes |= attribute;
        }
    };
    set(cell.attrs.bold != 0, PackedCell::Bold);
    set(cell.attrs.italic != 0, PackedCell::Italic);
    set(cell.attrs.underline != 0, PackedCell::Underline);
    set(cell.attrs.blink != 0, PackedCell::Blink);
    set(cell.attrs.reverse != 0, PackedCell::Reverse);
    set(cell.attrs.strike != 0, PackedCell::Strike);
    packed.attributes = attributes;
    return packed;
}

VTermScreenCell TerminalScreen::unpack(const PackedCell& cell) const
{
    VTermScreenCell result {};
    if (cell.width == 0) {
        result.chars[0] = static_cast<uint32_t>(-1);
        result.width = 1;
    } else {
        result.chars[0] = cell.characters[0];
        result.chars[1] = cell.characters[1];
        result.width = static_cast<char>(cell.width);
    }
    result.attrs.bold = cell.has(PackedCell::Bold) ? 1 : 0;
    result.attrs.italic = cell.has(PackedCell::Italic) ? 1 : 0;
    result.attrs.underline = cell.has(PackedCell::Underline) ? VTERM_UNDERLINE_SINGLE : 0;
    result.attrs.blink = cell.has(PackedCell::Blink) ? 1 : 0;
    result.attrs.reverse = cell.has(PackedCell::Reverse) ? 1 : 0;
    result.attrs.strike = cell.has(PackedCell::Strike) ? 1 : 0;
    vterm_color_rgb(&result.fg, static_cast<uint8_t>(qRed(cell.foreground)),
        static_cast<uint8_t>(qGreen(cell.foreground)),
        static_cast<uint8_t>(qBlue(cell.foreground)));
    vterm_color_rgb(&result.bg, static_cast<uint8_t>(qRed(cell.background)),
        static_cast<uint8_t>(qGreen(cell.background)),
        static_cast<uint8_t>(qBlue(cell.background)));
    if (cell.has(PackedCell::DefaultForeground)) {
        result.fg.type |= VTERM_COLOR_DEFAULT_FG;
    }
    if (cell.has(PackedCell::DefaultBackground)) {
        result.bg.type |= VTERM_COLOR_DEFAULT_BG;
    }
    return result;
}

PackedCell TerminalScreen::blankCell() const
{
    PackedCell blank;
    blank.foreground = m_scheme.foreground.rgb();
    blank.background = m_scheme.background.rgb();
    return blank;
}

void TerminalScreen::markDamaged(int first, int last)
{
    first = std::clamp(first, 0, m_rows);
    last = std::clamp(last, first, m_rows);
    if (first == last) {
        return;
    }
    if (!m_damage) {
        m_damage = RowSpan {first, last};
        return;
    }
    m_damage->first = std::min(m_damage->first, first);
    m_damage->last = std::max(m_damage->last, last);
}

} // namespace ui
