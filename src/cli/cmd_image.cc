// kiln image ls | rm, and the `kiln image` dispatcher.
#include <cstdio>
#include <map>

#include "base/clock.h"
#include "base/json.h"
#include "base/table.h"
#include "build/build.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "oci/reference.h"

namespace kiln::cli {
namespace {

const char kImageHelp[] = R"(NAME
    kiln image - manage kiln's images

SYNOPSIS
    kiln image import SOURCE NAME[:TAG]     store a rootfs dir/tarball or an OCI layout/archive
    kiln image export NAME DEST [--format oci|oci-archive] [--ref REF]
    kiln image ls [--json]                  (also: kiln images)
    kiln image inspect NAME [--json]
    kiln image rm [--force] NAME[:VERSION]...
    kiln image diff BASE IMAGE              files added (A), changed (C), deleted (D)
    kiln image rollback NAME VERSION        move a custom image's `latest` back
    kiln image prune [NAME]                 apply retention, collect unused blobs
    kiln image retention NAME [--keep N] [--max-age DAYS]
    kiln image tag SRC DST                  another name for an image (e.g. to push it)

    Images live in an OCI image layout under the state directory (STATE/oci), so skopeo and
    umoci can read it as it is. Run `kiln image COMMAND --help` for each command.
)";

const char kListHelp[] = R"(NAME
    kiln image ls - list images

SYNOPSIS
    kiln image ls [NAME] [--all] [--json]
    kiln images [NAME] [--all] [--json]

DESCRIPTION
    One line per image name and per custom-image version: repository, tag (for custom images
    the version, and "latest" on the newest), manifest digest, size (config + compressed
    layers), layer count and creation time. NAME limits the list to one repository.
    A version whose blobs are still being written (usable by jobs already) shows "pending"
    as its digest.
    The images `kiln build` caches its steps as (kiln-build-cache/…) are listed with --all
    (-a) only.
    --json prints an array of objects with the same fields (name, repository, tag, tags,
    digest, size, layers, created, source, runner_size, pending) for scripts; a pending
    version's digest is "".
)";

const char kRemoveHelp[] = R"(NAME
    kiln image rm - remove image names and the blobs no other name uses

SYNOPSIS
    kiln image rm [--force] NAME[:TAG|:VERSION]...

DESCRIPTION
    Removes each image name, or a custom image's version (NAME:1.2.0), or every version of a
    custom image (NAME), then deletes every blob nothing else uses. A version that a runner
    pins is kept unless --force is given, and so is the last version of an image a runner
    follows; removing every version of NAME is all or nothing, so one pinned version keeps
    them all. Removing `latest` moves it to the highest version left.
)";

struct Row {
  std::string name, repo, tag, digest, created, source, runner_size;
  std::vector<std::string> tags;
  int64_t size = 0;
  size_t layers = 0;
  bool pending = false;
};

// Rows for custom-image versions from the catalogue.
Result<std::vector<Row>> VersionRows(App& app, const std::string& filter) {
  ASSIGN_OR_RETURN(catalog::Catalog * cat, app.Catalog());
  ASSIGN_OR_RETURN(content::ImageStore * store, app.Store());
  ASSIGN_OR_RETURN(auto versions, cat->List(filter));
  std::vector<Row> rows;
  for (const auto& v : versions) {
    Row row;
    row.repo = v.image;
    row.tag = v.version.ToString();
    row.name = v.image + ":" + row.tag;
    row.tags = {row.tag};
    if (v.latest) row.tags.push_back("latest");
    row.digest = v.is_pending() ? "" : v.manifest.str();
    row.pending = v.is_pending();
    row.size = v.size;
    row.created = FormatRfc3339(v.created);
    row.source = v.source;
    row.runner_size = v.runner_size;
    auto img = v.is_pending() ? Result<content::LoadedImage>(NotFound("pending"))
                              : store->Load(v.manifest.str());
    if (img.ok()) row.layers = img->manifest.layers.size();
    rows.push_back(row);
  }
  return rows;
}

Result<Row> Describe(content::ImageStore& store, const content::ImageRecord& rec) {
  ASSIGN_OR_RETURN(content::LoadedImage img, store.Load(rec.name));
  Row row;
  row.name = rec.name;
  // A name an older kiln stored that the grammar now refuses is shown whole.
  auto ref = oci::Reference::Parse(rec.name);
  row.repo = ref.ok() ? ref->Repository() : rec.name;
  row.tag = ref.ok() ? ref->tag : "";
  row.digest = rec.manifest.digest.str();
  row.size = img.manifest.config.size;
  for (const auto& l : img.manifest.layers) row.size += l.size;
  row.layers = img.manifest.layers.size();
  row.created = img.config.created;
  row.tags = {row.tag};
  return row;
}

}  // namespace

int ImageListCommand(App& app, const Args& args) {
  if (WantsHelp(args, kListHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--json", "", false}, {"--all", "-a", false}});
  if (!flags.ok()) return Fail(flags.status());
  auto store = app.Store();
  if (!store.ok()) return Fail(store.status());
  auto records = (*store)->List();
  if (!records.ok()) return Fail(records.status());
  std::string filter = flags->positional().empty() ? "" : flags->positional()[0];
  std::vector<Row> rows;
  for (const auto& rec : *records) {
    if (!flags->Has("--all") && rec.name.rfind(build::kBuildCachePrefix, 0) == 0) continue;
    auto row = Describe(**store, rec);
    if (!row.ok()) return Fail(row.status().WithContext(rec.name));
    if (filter.empty() || row->repo == filter) rows.push_back(*row);
  }
  auto versions = VersionRows(app, filter);
  if (!versions.ok()) return Fail(versions.status());
  rows.insert(rows.end(), versions->begin(), versions->end());
  if (flags->Has("--json")) {
    OrderedJson out = OrderedJson::array();
    for (const auto& r : rows) {
      out.push_back({{"name", r.name},
                     {"repository", r.repo},
                     {"tag", r.tag},
                     {"tags", r.tags},
                     {"digest", r.digest},
                     {"size", r.size},
                     {"layers", r.layers},
                     {"created", r.created},
                     {"source", r.source},
                     {"runner_size", r.runner_size},
                     {"pending", r.pending}});
    }
    std::printf("%s\n", DumpJson(out, 2).c_str());
    return 0;
  }
  Table table({"REPOSITORY", "TAGS", "DIGEST", "SIZE", "LAYERS", "CREATED"});
  for (const auto& r : rows) {
    std::string tags;
    for (const auto& t : r.tags) tags += (tags.empty() ? "" : ", ") + t;
    auto digest = oci::Digest::Parse(r.digest);
    table.Add({r.repo, tags, digest.ok() ? digest->Short() : "pending", FormatBytes(r.size),
               std::to_string(r.layers), r.created});
  }
  std::fputs(table.Render().c_str(), stdout);
  return 0;
}

int ImageRemoveCommand(App& app, const Args& args) {
  if (WantsHelp(args, kRemoveHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--force", "-f", false}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().empty()) return Fail(InvalidArgument("usage: kiln image rm NAME..."));
  auto store = app.Store();
  if (!store.ok()) return Fail(store.status());
  for (const auto& arg : flags->positional()) {
    Status custom = RemoveCustomImage(app, arg, flags->Has("--force"));
    if (custom.ok()) continue;
    if (custom.code() != Code::kNotFound || custom.message().rfind("no custom image", 0) != 0) {
      return Fail(custom);
    }
    auto name = content::NormalizeImageName(arg);
    if (!name.ok()) return Fail(name.status());
    Status s = (*store)->Untag(*name);
    if (!s.ok()) return Fail(s);
    std::printf("untagged %s\n", name->c_str());
  }
  Status gc = CollectUnused(app);
  return gc.ok() ? 0 : Fail(gc.WithContext("collect garbage"));
}

int ImageCommand(App& app, const Args& args) {
  static const std::map<std::string, int (*)(App&, const Args&)> kSub = {
      {"import", ImageImportCommand},
      {"export", ImageExportCommand},
      {"ls", ImageListCommand},
      {"list", ImageListCommand},
      {"inspect", ImageInspectCommand},
      {"rm", ImageRemoveCommand},
      {"rollback", ImageRollbackCommand},
      {"diff", ImageDiffCommand},
      {"prune", ImagePruneCommand},
      {"retention", ImageRetentionCommand},
      {"tag", ImageTagCommand}};
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(kImageHelp, stdout);
    return args.empty() ? 2 : 0;
  }
  auto it = kSub.find(args[0]);
  if (it == kSub.end()) return Fail(InvalidArgument("unknown command: kiln image " + args[0]));
  return it->second(app, Args(args.begin() + 1, args.end()));
}

}  // namespace kiln::cli
