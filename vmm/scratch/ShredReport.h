#pragma once

#include "sys/Result.h"

#include <string>
#include <string_view>
#include <vector>

namespace vmm {

/// One thing that was destroyed at the end of a session, how, and how that was checked.
struct ShredItem {
    std::string what; ///< "scratch key", "scratch file /run/.../scratch.img", "session directory"
    std::string method; ///< "key wiped with OPENSSL_cleanse", "crypto-erase + punch hole + unlink"
    std::string verification; ///< how success was checked, or what went wrong
    std::string detail; ///< anything else the auditor should know (empty when nothing)
    bool succeeded = false;
    std::string startedAt; ///< UTC ISO 8601 with milliseconds: 2025-01-31T12:00:00.123Z
    std::string finishedAt;

    /// An item for `what`, started now.
    static ShredItem start(std::string what, std::string method);
    /// Records the outcome and the finishing time.
    void finish(bool success, std::string howVerified);
};

/// The shred report of one session (DESIGN.md §Shredding): each item, the method, how it was
/// verified and when. Serialized to JSON for the audit trail.
class ShredReport {
public:
    /// Appends one item.
    void add(ShredItem item);
    /// Appends several items (what EncryptedScratch::shred() returns).
    void add(std::vector<ShredItem> items);

    const std::vector<ShredItem>& items() const { return m_items; }
    /// Whether every item succeeded (an empty report counts as success).
    bool allSucceeded() const;

    /// {"succeeded": bool, "items": [{"what", "method", "verification", "detail", "succeeded",
    /// "startedAt", "finishedAt"}, ...]}, pretty-printed with `indent` spaces (-1: one line).
    std::string toJson(int indent = 2) const;
    /// Parses what toJson() wrote; refuses anything else (the text may come from a hostile VMM).
    static Result<ShredReport> fromJson(std::string_view text);

private:
    std::vector<ShredItem> m_items;
};

/// The current time as UTC ISO 8601 with milliseconds ("2025-01-31T12:00:00.123Z").
std::string utcTimestamp();

} // namespace vmm
