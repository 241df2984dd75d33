// JSON glue: nlohmann::json, with parse errors turned into Status.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kiln {

using Json = nlohmann::json;
// An ordered object keeps keys in insertion order (for stable, readable output).
using OrderedJson = nlohmann::ordered_json;

// The deepest nesting of arrays and objects ParseJson accepts. nlohmann's copy, comparison and
// dump recurse once per level, so a deeper document (from a registry, a layout or `fromJSON`)
// could overflow the stack; real documents nest a handful of levels.
inline constexpr int kMaxJsonDepth = 512;

// Parses `text`; InvalidArgument naming `what` and the byte offset on error, or naming the depth
// when arrays and objects nest deeper than kMaxJsonDepth (checked before parsing).
Result<Json> ParseJson(std::string_view text, std::string_view what = "json");

// `j` as text (compact when indent < 0). Never throws: bytes that are not valid UTF-8 in a
// string are written as U+FFFD, where nlohmann's dump() throws type_error 316. Use this for any
// value that may hold bytes from outside kiln (env values, step output, file names, names).
std::string DumpJson(const Json& j, int indent = -1);
std::string DumpJson(const OrderedJson& j, int indent = -1);

}  // namespace kiln
