// The layer cache's unpack cap, from the config file (`max_layer_unpacked`), read where the
// layer cache is opened: `kiln run --config FILE` names the file (App::set_config_path), else
// $KILN_CONFIG, else /etc/kiln/config.toml when it exists.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace kiln::cli {

// The config file in effect: `flag` when set, else $KILN_CONFIG, else /etc/kiln/config.toml
// when it exists, else "".
std::string ConfigFilePath(const std::string& flag);

// `max_layer_unpacked` from the config file at `path` (workflow/config_file.h, which reads
// every key): an integer (bytes) or a string such as "64G", "500M", "2GiB" (binary units K, M,
// G, T). snapshot::kDefaultMaxLayerUnpacked when `path` is "" or the key is absent;
// InvalidArgument naming the file for anything else in the file that is wrong.
Result<int64_t> LoadMaxLayerUnpacked(const std::string& path);

// "64G" → 64 << 30; "123" → 123. InvalidArgument if not a positive size.
Result<int64_t> ParseByteSize(const std::string& text);

}  // namespace kiln::cli
