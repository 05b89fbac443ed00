#include "ControlJson.h"

#include "protocol/JsonFields.h"

namespace vmm {

Result<std::vector<const nlohmann::json*>> objectArray(
    const nlohmann::json& object, std::string_view key, size_t maxItems, std::string_view message)
{
    JsonFields fields = VMM_TRY(JsonFields::of(object, message));
    if (!fields.has(key))
        return failure(fields.fieldError(key, "missing"));
    const nlohmann::json& array = object.at(std::string(key));
    if (!array.is_array())
        return failure(fields.fieldError(key, "not an array"));
    if (array.size() > maxItems)
        return failure(fields.fieldError(key, "more than " + std::to_string(maxItems) + " items"));
    std::vector<const nlohmann::json*> items;
    items.reserve(array.size());
    for (size_t index = 0; index < array.size(); ++index) {
        const nlohmann::json& item = array[index];
        if (!item.is_object())
            return failure(fields.fieldError(key, "an item is not an object"));
        items.push_back(&item);
    }
    return items;
}

} // namespace vmm
