// kiln image inspect | export: one image, shown or written out as an OCI layout or archive.
#include <cstdio>

#include "base/clock.h"
#include "base/json.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "content/image_location.h"
#include "oci/reference.h"
#include "oci/types_json.h"

namespace kiln::cli {
namespace {

const char kInspectHelp[] = R"(NAME
    kiln image inspect - show one image's manifest and config

SYNOPSIS
    kiln image inspect NAME[:TAG]|DIGEST [--json]

DESCRIPTION
    Prints the image's digest, platform, environment, command, layers (digest, size, diff ID)
    and history. --json prints {"name","descriptor","manifest","config"} with the manifest and
    config as stored.
)";

const char kExportHelp[] = R"(NAME
    kiln image export - write an image as an OCI layout or oci-archive

SYNOPSIS
    kiln image export NAME[:TAG] DEST [--format oci|oci-archive] [--ref REF]

DESCRIPTION
    Writes the image to DEST, which takes the forms `kiln image import` reads:
      oci:DIR[:REF]           an OCI image layout directory (created, or added to when it
                              already holds a layout)
      oci-archive:FILE[:REF]  an oci-archive tarball
      PATH                    a layout directory, or an oci-archive when PATH ends in .tar or
                              --format oci-archive is given
    REF is the ref.name in DEST's index (from DEST or --ref; default: the TAG). The result is
    what `skopeo inspect oci:DIR:REF`, `skopeo copy oci-archive:FILE:REF …` and `umoci unpack`
    read.
)";

}  // namespace

int ImageInspectCommand(App& app, const Args& args) {
  if (WantsHelp(args, kInspectHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--json", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 1)
    return Fail(InvalidArgument("usage: kiln image inspect NAME"));
  auto store = app.Store();
  if (!store.ok()) return Fail(store.status());
  auto resolved = ResolveImage(app, flags->positional()[0]);
  if (!resolved.ok()) return Fail(resolved.status());
  content::LoadedImage* img = &resolved->loaded;
  img->name = resolved->ref;
  if (flags->Has("--json")) {
    OrderedJson out;
    out["name"] = img->name;
    out["descriptor"] = oci::ToJson(img->descriptor);
    out["manifest"] = OrderedJson::parse(oci::SerializeManifest(img->manifest));
    out["config"] = OrderedJson::parse(oci::SerializeImageConfig(img->config));
    std::printf("%s\n", DumpJson(out, 2).c_str());
    return 0;
  }
  const auto& c = img->config;
  std::printf("Name:      %s\nDigest:    %s\nPlatform:  %s/%s\nCreated:   %s\n", img->name.c_str(),
              img->descriptor.digest.str().c_str(), c.os.c_str(), c.architecture.c_str(),
              c.created.c_str());
  for (const auto& e : c.env) std::printf("Env:       %s\n", e.c_str());
  std::string cmd;
  for (const auto& a : c.cmd) cmd += (cmd.empty() ? "" : " ") + a;
  std::printf("Cmd:       %s\nLayers:\n", cmd.c_str());
  for (size_t i = 0; i < img->manifest.layers.size(); ++i) {
    const auto& l = img->manifest.layers[i];
    std::printf("  %zu  %s  %10s  diff %s\n", i + 1, l.digest.str().c_str(),
                FormatBytes(l.size).c_str(),
                i < c.diff_ids.size() ? c.diff_ids[i].Short().c_str() : "?");
  }
  std::printf("History:\n");
  for (const auto& h : c.history)
    std::printf("  %s  %s\n", h.created.c_str(), h.created_by.c_str());
  return 0;
}

namespace {

// The format and ref.name an export writes: from an oci:/oci-archive: DEST, else from --format
// or a DEST ending in .tar; REF from DEST or --ref, which must agree when both are given.
Status ChooseExport(content::ImageLocation& dest, const std::string& format,
                    const std::string& ref) {
  using Kind = content::ImageLocation::Kind;
  if (!format.empty() && format != "oci" && format != "oci-archive") {
    return InvalidArgument("--format must be oci or oci-archive");
  }
  if (dest.kind == Kind::kPath) {
    bool tar = dest.path.size() > 4 && dest.path.substr(dest.path.size() - 4) == ".tar";
    dest.kind = format == "oci-archive" || (format.empty() && tar) ? Kind::kArchive : Kind::kLayout;
  } else if (!format.empty() && (format == "oci") != (dest.kind == Kind::kLayout)) {
    return InvalidArgument("--format " + format + " contradicts " + content::ToString(dest));
  }
  if (!ref.empty() && !dest.ref.empty() && ref != dest.ref) {
    return InvalidArgument("--ref " + ref + " contradicts " + content::ToString(dest));
  }
  if (dest.ref.empty()) dest.ref = ref;
  return Status::Ok();
}

}  // namespace

int ImageExportCommand(App& app, const Args& args) {
  if (WantsHelp(args, kExportHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--format", "", true}, {"--ref", "", true}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 2)
    return Fail(InvalidArgument("usage: kiln image export NAME DEST"));
  const std::string& name = flags->positional()[0];
  auto dest = content::ParseImageLocation(flags->positional()[1]);
  if (!dest.ok()) return Fail(dest.status());
  if (Status s = ChooseExport(*dest, flags->Get("--format"), flags->Get("--ref")); !s.ok())
    return Fail(s);
  auto store = app.Store();
  if (!store.ok()) return Fail(store.status());
  auto resolved = ResolveImage(app, name);
  if (!resolved.ok()) return Fail(resolved.status().WithContext("export " + name));
  if (dest->ref.empty()) {
    auto shown = oci::Reference::Parse(resolved->ref);
    dest->ref = shown.ok() && !shown->tag.empty() ? shown->tag : "latest";
  }
  std::string digest = resolved->loaded.descriptor.digest.str();
  bool layout = dest->kind == content::ImageLocation::Kind::kLayout;
  Status s = layout ? content::ExportLayout(**store, digest, dest->path, dest->ref)
                    : content::ExportArchive(**store, digest, dest->path, dest->ref);
  if (!s.ok()) return Fail(s.WithContext("export " + name));
  std::printf("%s → %s\n", name.c_str(), content::ToString(*dest).c_str());
  return 0;
}

}  // namespace kiln::cli
