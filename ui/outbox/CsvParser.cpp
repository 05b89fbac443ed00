#include "CsvParser.h"

#include <QString>

namespace ui {

CsvTable parseCsv(const QByteArray& text, int maxRows, bool cutOff)
{
    CsvTable table;
    const QString input = QString::fromUtf8(text);
    QStringList record;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    auto endField = [&] {
        record.append(field);
        field.clear();
        fieldStarted = false;
    };
    auto endRecord = [&] {
        endField();
        table.rows.append(record);
        record.clear();
    };
    qsizetype index = 0;
    const qsizetype length = input.size();
    // A byte-order mark is not part of the first field.
    if (input.startsWith(QChar(0xfeff)))
        index = 1;
    while (index < length) {
        if (table.rows.size() >= maxRows) {
            table.truncated = true;
            return table;
        }
        const QChar character = input.at(index);
        if (quoted) {
            if (character == u'"') {
                if (index + 1 < length && input.at(index + 1) == u'"') {
                    field.append(u'"');
                    ++index;
                } else {
                    quoted = false;
                }
            } else {
                field.append(character);
            }
        } else if (character == u'"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (character == u',') {
            endField();
        } else if (character == u'\r' && index + 1 < length && input.at(index + 1) == u'\n') {
            endRecord();
            ++index;
        } else if (character == u'\n') {
            endRecord();
        } else {
            field.append(character);
            fieldStarted = true;
        }
        ++index;
    }
    if (cutOff) {
        // The last record may be cut in the middle; leave it out rather than show half of it.
        table.truncated = true;
        return table;
    }
    if (!record.isEmpty() || !field.isEmpty() || fieldStarted)
        endRecord();
    return table;
}

} // namespace ui
