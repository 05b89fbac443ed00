#include "ShredReport.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vmm {

namespace {

// Bounds for a report read back from another process: far more than any session produces.
constexpr size_t kMaximumItems = 10000;
constexpr size_t kMaximumTextLength = 4096;
constexpr size_t kMaximumJsonLength = 16 * 1024 * 1024;

} // namespace

std::string utcTimestamp()
{
    auto now = std::chrono::system_clock::now();
    auto milliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::time_t seconds = static_cast<std::time_t>(milliseconds / 1000);
    std::tm utc {};
    ::gmtime_r(&seconds, &utc);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
        utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
        static_cast<int>(milliseconds % 1000));
    return text;
}

ShredItem ShredItem::start(std::string what, std::string method)
{
    ShredItem item;
    item.what = std::move(what);
    item.method = std::move(method);
    item.startedAt = utcTimestamp();
    return item;
}

void ShredItem::finish(bool success, std::string howVerified)
{
    succeeded = success;
    verification = std::move(howVerified);
    finishedAt = utcTimestamp();
}

void ShredReport::add(ShredItem item)
{
    m_items.push_back(std::move(item));
}

void ShredReport::add(std::vector<ShredItem> items)
{
    for (ShredItem& item : items)
        m_items.push_back(std::move(item));
}

bool ShredReport::allSucceeded() const
{
    return std::all_of(
        m_items.begin(), m_items.end(), [](const ShredItem& item) { return item.succeeded; });
}

std::string ShredReport::toJson(int indent) const
{
    nlohmann::json items = nlohmann::json::array();
    for (const ShredItem& item : m_items) {
        items.push_back(
            {{"what", item.what}, {"method", item.method}, {"verification", item.verification},
                {"detail", item.detail}, {"succeeded", item.succeeded},
                {"startedAt", item.startedAt}, {"finishedAt", item.finishedAt}});
    }
    nlohmann::json report = {{"succeeded", allSucceeded()}, {"items", std::move(items)}};
    // Replace rather than throw on invalid UTF-8 (a file name is bytes, not text).
    return report.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ShredReport> ShredReport::fromJson(std::string_view text)
{
    if (text.size() > kMaximumJsonLength)
        return failure(Error::invalid("shred report", "JSON text is too long"));
    nlohmann::json report = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (report.is_discarded() || !report.is_object())
        return failure(Error::invalid("shred report", "not a JSON object"));
    auto items = report.find("items");
    if (items == report.end() || !items->is_array())
        return failure(Error::invalid("shred report", "no \"items\" array"));
    if (items->size() > kMaximumItems)
        return failure(Error::invalid("shred report", "too many items"));
    ShredReport parsed;
    for (const nlohmann::json& entry : *items) {
        if (!entry.is_object())
            return failure(Error::invalid("shred report", "an item is not an object"));
        ShredItem item;
        for (auto [key, field] : {std::pair {"what", &item.what}, {"method", &item.method},
                 {"verification", &item.verification}, {"detail", &item.detail},
                 {"startedAt", &item.startedAt}, {"finishedAt", &item.finishedAt}}) {
            auto value = entry.find(key);
            if (value == entry.end() || !value->is_string())
                return failure(Error::invalid("shred report", std::string("item without ") + key));
            *field = value->get<std::string>();
            if (field->size() > kMaximumTextLength)
                return failure(
                    Error::invalid("shred report", std::string("item ") + key + " too long"));
        }
        auto succeeded = entry.find("succeeded");
        if (succeeded == entry.end() || !succeeded->is_boolean())
            return failure(Error::invalid("shred report", "item without \"succeeded\""));
        item.succeeded = succeeded->get<bool>();
        parsed.add(std::move(item));
    }
    return parsed;
}

} // namespace vmm
