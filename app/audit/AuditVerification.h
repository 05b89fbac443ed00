#pragma once

#include <optional>

#include <QString>

namespace app {

/// What AuditStore::verify() found.
struct AuditVerification {
    /// Whether every row re-hashes to its stored hash, links to the one before, and the last row
    /// is the one the chain head records.
    bool intact = false;
    /// How many rows were read before the verdict.
    qint64 rowsChecked = 0;
    /// The first row found changed, missing or inserted; empty when intact (or when the damage
    /// is not tied to one row, such as a damaged file).
    std::optional<qint64> firstBrokenRow;
    /// What is wrong and what to do, for the user; empty when intact.
    QString problem;
};

} // namespace app
