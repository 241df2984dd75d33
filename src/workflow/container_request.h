// A workflow's `container:` / `services:` entry (model.h's Container) as a pod container
// request (jobs/pod.h): options through jobs/docker_options.h, volumes, ports, credentials.
// Parse time checks what holds no ${{ }}; run time builds the request after interpolation.
#pragma once

#include <string>

#include "base/status.h"
#include "jobs/pod.h"
#include "workflow/expr.h"
#include "workflow/model.h"

namespace kiln::workflow {

// "NAME_OR_ABS_PATH:CONTAINER_PATH[:ro|:rw]" (docker's -v short form). A source that is not an
// absolute path is a kiln volume name of the job's pod.
Result<jobs::VolumeMount> ParseVolumeSpec(const std::string& text);

// What can be checked of `k` before the run: options, volumes and ports that hold no ${{ }}.
// InvalidArgument naming the option/volume/port (the caller adds FILE:LINE:COL).
Status CheckContainer(const Container& k);

// The request for `k` (named `name`; a service is also reachable as `name`), every string
// interpolated with `expr` first. Errors name k.pos.
Result<jobs::ContainerRequest> MakeContainerRequest(const Container& k, const std::string& name,
                                                    const ExprContext& expr);

}  // namespace kiln::workflow
