// Pushing a local image from a job (snapshot `push:`, the snapshot action step) or a command,
// through the engine's client for the destination's host.
#pragma once

#include <functional>
#include <string>

#include "content/image_store.h"
#include "jobs/engine.h"

namespace kiln::jobs {

// Pushes `image` to `dest` (a reference naming a registry host; registry defaults applied),
// with the engine's blob origins for mounts. `log` hears one line per blob pushed or skipped
// and one for the result. Errors name the destination.
Result<oci::Descriptor> PushToRegistry(Engine& engine, const content::LoadedImage& image,
                                       const std::string& dest,
                                       const std::function<void(const std::string&)>& log);

}  // namespace kiln::jobs
