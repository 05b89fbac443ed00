#include "JsonFields.h"

#include <cmath>

namespace vmm {

Result<JsonFields> JsonFields::of(const nlohmann::json& object, std::string_view message)
{
    if (!object.is_object())
        return failure(Error::invalid(message, "not a JSON object"));
    return JsonFields(object, message);
}

bool JsonFields::has(std::string_view key) const
{
    auto found = m_object->find(key);
    return found != m_object->end() && !found->is_null();
}

Error JsonFields::fieldError(std::string_view key, std::string_view detail) const
{
    return Error::invalid(m_message, "field " + std::string(key) + ": " + std::string(detail));
}

Result<const nlohmann::json*> JsonFields::field(std::string_view key) const
{
    auto found = m_object->find(key);
    if (found == m_object->end() || found->is_null())
        return failure(fieldError(key, "missing"));
    return &*found;
}

Result<std::string> JsonFields::checkedString(
    std::string_view key, const nlohmann::json& value, size_t maxBytes, bool allowEmpty) const
{
    if (!value.is_string())
        return failure(fieldError(key, "not a string"));
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > maxBytes)
        return failure(fieldError(key, "longer than " + std::to_string(maxBytes) + " bytes"));
    if (text.empty() && !allowEmpty)
        return failure(fieldError(key, "empty"));
    if (text.find('\0') != std::string::npos)
        return failure(fieldError(key, "holds a NUL character"));
    return text;
}

Result<std::string> JsonFields::string(std::string_view key, size_t maxBytes, bool allowEmpty) const
{
    const nlohmann::json* value = VMM_TRY(field(key));
    return checkedString(key, *value, maxBytes, allowEmpty);
}

Result<int64_t> JsonFields::integer(std::string_view key, int64_t minimum, int64_t maximum) const
{
    const nlohmann::json* value = VMM_TRY(field(key));
    int64_t number = 0;
    if (value->is_number_unsigned()) {
        auto unsignedValue = value->get<uint64_t>();
        if (unsignedValue > static_cast<uint64_t>(maximum))
            return failure(fieldError(key, "out of range"));
        number = static_cast<int64_t>(unsignedValue);
    } else if (value->is_number_integer()) {
        number = value->get<int64_t>();
    } else {
        return failure(fieldError(key, "not an integer"));
    }
    if (number < minimum || number > maximum)
        return failure(fieldError(key, "out of range"));
    return number;
}

Result<uint64_t> JsonFields::unsignedInteger(
    std::string_view key, uint64_t minimum, uint64_t maximum) const
{
    const nlohmann::json* value = VMM_TRY(field(key));
    // nlohmann stores every non-negative integer literal as unsigned.
    if (!value->is_number_unsigned())
        return failure(fieldError(key, "not a non-negative integer"));
    auto number = value->get<uint64_t>();
    if (number < minimum || number > maximum)
        return failure(fieldError(key, "out of range"));
    return number;
}

Result<double> JsonFields::number(std::string_view key, double minimum, double maximum) const
{
    const nlohmann::json* value = VMM_TRY(field(key));
    if (!value->is_number())
        return failure(fieldError(key, "not a number"));
    auto number = value->get<double>();
    if (!std::isfinite(number) || number < minimum || number > maximum)
        return failure(fieldError(key, "out of range"));
    return number;
}

Result<bool> JsonFields::boolean(std::string_view key) const
{
    const nlohmann::json* value = VMM_TRY(field(key));
    if (!value->is_boolean())
        return failure(fieldError(key, "not true or false"));
    return value->get<bool>();
}

Result<std::vector<std::string>> JsonFields::stringArray(
    std::string_view key, size_t maxItems, size_t maxBytes, bool allowEmpty) const
{
    const nlohmann::json* value = VMM_TRY(field(key));
    if (!value->is_array())
        return failure(fieldError(key, "not an array"));
    if (value->size() > maxItems)
        return failure(fieldError(key, "more than " + std::to_string(maxItems) + " items"));
    std::vector<std::string> items;
    items.reserve(value->size());
    for (const nlohmann::json& item : *value)
        items.push_back(VMM_TRY(checkedString(key, item, maxBytes, allowEmpty)));
    return items;
}

Result<std::map<std::string, std::string>> JsonFields::stringMap(
    std::string_view key, size_t maxItems, size_t maxKeyBytes, size_t maxValueBytes) const
{
    const nlohmann::json* value = VMM_TRY(field(key));
    if (!value->is_object())
        return failure(fieldError(key, "not an object"));
    if (value->size() > maxItems)
        return failure(fieldError(key, "more than " + std::to_string(maxItems) + " entries"));
    std::map<std::string, std::string> entries;
    for (const auto& [name, item] : value->items()) {
        if (name.empty() || name.size() > maxKeyBytes || name.find('\0') != std::string::npos)
            return failure(fieldError(key, "a name is empty, too long or holds NUL"));
        entries[name] = VMM_TRY(checkedString(key, item, maxValueBytes, true));
    }
    return entries;
}

} // namespace vmm
