// Custom-image version management: kiln image rollback | prune | retention, and removing
// versions (kiln image rm NAME:VERSION goes through RemoveCustomImage).
#include <cstdio>
#include <set>

#include "base/clock.h"
#include "base/escape.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "images/gc.h"
#include "images/remove.h"
#include "snapshot/tree_diff.h"

namespace kiln::cli {
namespace {

const char kRollbackHelp[] = R"(NAME
    kiln image rollback - move a custom image's `latest` tag back to an older version

SYNOPSIS
    kiln image rollback NAME VERSION

DESCRIPTION
    Runners that follow `latest` start from VERSION from now on. The next snapshot still gets
    a new number (numbers are never reused) and becomes `latest` again.
)";

const char kPruneHelp[] = R"(NAME
    kiln image prune - apply retention policies and collect unused blobs

SYNOPSIS
    kiln image prune [NAME]
    kiln image retention NAME|'*' [--keep N] [--max-age DAYS]

DESCRIPTION
    A retention policy keeps the newest N versions of an image and/or versions younger than
    DAYS days; '*' sets the default for every image. `latest` and versions pinned by a runner
    are always kept. Policies are also applied after each snapshot. prune then deletes blobs
    and cached layers that no image name or version uses any more, and what killed kiln
    processes left behind: their sandboxes, their run dirs (job scratch and step scripts) and
    partial blobs in STATE/oci/ingest (those of a live kiln stay).
)";

// Sweeps what killed kiln processes left (first use of the store and of the runtime does it)
// and reports it.
Status SweepLeftovers(App& app) {
  ASSIGN_OR_RETURN(jobs::Engine * engine, app.Engine());
  RETURN_IF_ERROR(engine->Store().status());
  auto runtime = engine->Runtime();
  if (!runtime.ok())
    LogWarn("orphan sandboxes and run dirs not swept: " + runtime.status().message());
  jobs::Swept s = engine->swept();
  std::printf(
      "removed %d partial blob(s), %d run dir(s) and %d sandbox(es) left by killed kiln processes "
      "(%s)\n",
      s.partial_blobs, s.runs, s.sandboxes, FormatBytes(static_cast<uint64_t>(s.bytes)).c_str());
  return Status::Ok();
}

Status CollectGarbage(App& app) {
  ASSIGN_OR_RETURN(jobs::Engine * engine, app.Engine());
  ASSIGN_OR_RETURN(images::GcReport report, engine->CollectGarbage());
  std::printf("freed %s of blobs\n", FormatBytes(report.blob_bytes).c_str());
  return Status::Ok();
}

}  // namespace

// Removes one custom-image version ("NAME:X.Y.Z") or all versions ("NAME"). Returns NotFound
// when NAME is not a custom image, so the caller can try image names.
Status RemoveCustomImage(App& app, const std::string& ref, bool force) {
  ASSIGN_OR_RETURN(catalog::Catalog * cat, app.Catalog());
  ASSIGN_OR_RETURN(images::Removal r, images::RemoveVersions(*cat, ref, force));
  if (r.whole_image) {
    std::printf("removed %s (%zu versions)\n", r.image.c_str(), r.removed.size());
  } else {
    for (const auto& v : r.removed)
      std::printf("removed %s:%s\n", r.image.c_str(), v.version.ToString().c_str());
  }
  return Status::Ok();
}

Status CollectUnused(App& app) { return CollectGarbage(app); }

int ImageRollbackCommand(App& app, const Args& args) {
  if (WantsHelp(args, kRollbackHelp)) return 0;
  if (args.size() != 2) return Fail(InvalidArgument("usage: kiln image rollback NAME VERSION"));
  auto cat = app.Catalog();
  if (!cat.ok()) return Fail(cat.status());
  auto v = catalog::ParseVersion(args[1]);
  if (!v.ok()) return Fail(v.status());
  Status s = (*cat)->SetLatest(args[0], *v);
  if (!s.ok()) return Fail(s);
  std::printf("%s:latest → %s\n", args[0].c_str(), v->ToString().c_str());
  return 0;
}

int ImagePruneCommand(App& app, const Args& args) {
  if (WantsHelp(args, kPruneHelp)) return 0;
  Status leftovers = SweepLeftovers(app);
  if (!leftovers.ok()) return Fail(leftovers);
  auto cat = app.Catalog();
  if (!cat.ok()) return Fail(cat.status());
  auto engine = app.Engine();
  if (!engine.ok()) return Fail(engine.status());
  auto removed =
      images::PruneVersions(**cat, args.empty() ? "" : args[0], (*engine)->clock().NowUnix());
  if (!removed.ok()) return Fail(removed.status());
  for (const auto& r : *removed)
    std::printf("pruned %s:%s\n", r.image.c_str(), r.version.ToString().c_str());
  Status s = CollectGarbage(app);
  return s.ok() ? 0 : Fail(s);
}

int ImageRetentionCommand(App& app, const Args& args) {
  if (WantsHelp(args, kPruneHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--keep", "", true}, {"--max-age", "", true}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 1) {
    return Fail(InvalidArgument("usage: kiln image retention NAME [--keep N] [--max-age DAYS]"));
  }
  catalog::Retention r;
  try {
    r.keep_newest = std::stoi(flags->Get("--keep", "0"));
    r.max_age_days = std::stoi(flags->Get("--max-age", "0"));
  } catch (const std::exception&) {
    return Fail(InvalidArgument("--keep and --max-age take whole numbers"));
  }
  if (r.keep_newest < 0 || r.max_age_days < 0) return Fail(InvalidArgument("negative retention"));
  auto cat = app.Catalog();
  if (!cat.ok()) return Fail(cat.status());
  Status s = (*cat)->SetRetention(flags->positional()[0], r);
  if (!s.ok()) return Fail(s);
  std::printf("retention %s: keep newest %d, max age %d days (0 = no limit)\n",
              flags->positional()[0].c_str(), r.keep_newest, r.max_age_days);
  return 0;
}

}  // namespace kiln::cli

namespace kiln::cli {
namespace {

const char kDiffHelp[] = R"(NAME
    kiln image diff - which files an image added, changed or removed against another

SYNOPSIS
    kiln image diff BASE IMAGE [--json]

DESCRIPTION
    Compares the two images' merged file trees (layers unpacked in the layer cache, whiteouts
    applied) and prints one line per path: A added, C changed (content, mode, owner or type),
    D deleted (a deleted directory once). For custom images, compare two versions:
    kiln image diff ci-tools:1.1.0 ci-tools:1.2.0.
)";

}  // namespace

int ImageDiffCommand(App& app, const Args& args) {
  if (WantsHelp(args, kDiffHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--json", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 2)
    return Fail(InvalidArgument("usage: kiln image diff BASE IMAGE"));
  auto layers = app.Layers();
  if (!layers.ok()) return Fail(layers.status());
  std::vector<std::string> stacks[2];
  for (int i = 0; i < 2; ++i) {
    auto img = ResolveImage(app, flags->positional()[static_cast<size_t>(i)]);
    if (!img.ok()) return Fail(img.status());
    auto dirs = (*layers)->Prepare(img->loaded.manifest, img->loaded.config);
    if (!dirs.ok()) return Fail(dirs.status());
    stacks[i] = *dirs;
  }
  auto changes = snapshot::DiffLayerStacks(stacks[0], stacks[1]);
  if (!changes.ok()) return Fail(changes.status());
  if (flags->Has("--json")) {
    Json out = Json::array();
    for (const auto& c : *changes)
      out.push_back({{"kind", std::string(1, c.kind)}, {"path", c.path}});
    std::printf("%s\n", DumpJson(out, 2).c_str());
    return 0;
  }
  // A layer's file names are anyone's bytes: escape what a terminal would act on.
  for (const auto& c : *changes) std::printf("%c %s\n", c.kind, EscapeForTerminal(c.path).c_str());
  return 0;
}

}  // namespace kiln::cli
