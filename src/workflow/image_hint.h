// What to do when a job's image (runs-on, container: or a service's) is not in the store.
#pragma once

#include "base/status.h"

namespace kiln::workflow {

// `s` with a way forward appended when it says the store has no image named NAME (NotFound
// "no image named NAME"): map it with -P, import one, or pull it. Any other status: `s`.
Status WithImageHint(const Status& s);

}  // namespace kiln::workflow
