#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace ui {

/// The rows of a CSV text, as far as they were read.
struct CsvTable {
    /// Each record's fields, in order (the header row is the first, if the file has one).
    QList<QStringList> rows;
    /// Whether records were left out because of the row limit or a cut-off text.
    bool truncated = false;
};

/// Parses `text` as RFC 4180 CSV: fields separated by commas, records by CRLF or LF, a field in
/// double quotes may hold commas, line breaks and doubled quotes. Reads at most `maxRows`
/// records; `cutOff` says the text is only the start of a file (its last, partial record is
/// then dropped). Never fails: malformed quoting is read leniently, as spreadsheets do.
CsvTable parseCsv(const QByteArray& text, int maxRows, bool cutOff = false);

} // namespace ui
