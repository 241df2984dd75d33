// JSON glue: nlohmann::json, with parse errors turned into Status.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/status.h"

namespace kiln {

using Json = nlohmann::json;
// An ordered object keeps keys in insertion order (for stable, readable output).
using OrderedJson = nlohmann::ordered_json;

// Parses `text`; InvalidArgument naming `what` and the byte offset on error.
Result<Json> ParseJson(std::string_view text, std::string_view what = "json");

}  // namespace kiln
