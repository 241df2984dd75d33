// kiln image import SOURCE NAME[:TAG]
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstdio>

#include "base/clock.h"
#include "base/fs.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "content/image_location.h"
#include "snapshot/image_build.h"
#include "snapshot/layer_write.h"

namespace kiln::cli {
namespace {

const char kHelp[] = R"(NAME
    kiln image import - make a kiln image from a root filesystem or an OCI image

SYNOPSIS
    kiln image import [--format FORMAT] [--zstd] SOURCE NAME[:TAG]

DESCRIPTION
    Stores an image under NAME:TAG (TAG defaults to "latest") in kiln's OCI image layout.
    SOURCE is one of:
      DIR                   a root filesystem directory (e.g. made by debootstrap): becomes a
                            one-layer image with the host's os/arch, a default PATH, Cmd /bin/sh
      FILE.tar[.gz|.zst]    a root filesystem tarball, likewise
      DIR with oci-layout   an OCI image layout (skopeo copy … oci:DIR:REF), all layers
      FILE (oci-archive)    an oci-archive tarball (skopeo … oci-archive:FILE, podman save
                            --format oci-archive)
      oci:DIR[:REF], oci-archive:FILE[:REF]
                            the same, naming the image inside by its ref.name
    Every blob is verified against its digest; a mismatch stores nothing.

OPTIONS
    --format rootfs|oci|oci-archive   skip detection
    --zstd                            compress the new layer with zstd instead of gzip

EXAMPLES
    debootstrap --variant=minbase bookworm /tmp/rootfs && kiln image import /tmp/rootfs debian:bookworm
    skopeo copy containers-storage:alpine oci-archive:/tmp/a.tar && kiln image import /tmp/a.tar alpine
)";

enum class Format { kRootfsDir, kRootfsTar, kLayout, kArchive };

// An oci-archive is a tar of a layout: its first entries are "oci-layout", "index.json" or
// "blobs/…"; a rootfs tarball starts with "./", "bin/", "etc/"…. Only headers are read.
Result<bool> TarLooksLikeOciArchive(const std::string& path) {
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_none(a);
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : "unreadable";
    archive_read_free(a);
    return InvalidArgument(path + ": not a tar archive: " + err);
  }
  bool oci = false;
  archive_entry* entry;
  for (int i = 0; i < 4 && archive_read_next_header(a, &entry) == ARCHIVE_OK; ++i) {
    const char* raw = archive_entry_pathname(entry);
    std::string name = raw == nullptr ? "" : raw;
    if (name.rfind("./", 0) == 0) name = name.substr(2);
    if (name.empty()) continue;
    oci = name == "oci-layout" || name == "index.json" || name.rfind("blobs", 0) == 0;
    break;
  }
  archive_read_free(a);
  return oci;
}

Result<Format> Detect(std::string& source, std::string& ref, const std::string& forced) {
  ASSIGN_OR_RETURN(content::ImageLocation loc, content::ParseImageLocation(source));
  source = loc.path;
  ref = loc.ref;
  if (loc.kind == content::ImageLocation::Kind::kLayout) return Format::kLayout;
  if (loc.kind == content::ImageLocation::Kind::kArchive) return Format::kArchive;
  if (!PathExists(source)) return NotFound("import source " + source + " does not exist");
  bool dir = IsDirectory(source);
  if (forced == "oci") return Format::kLayout;
  if (forced == "oci-archive") return Format::kArchive;
  if (forced == "rootfs") return dir ? Format::kRootfsDir : Format::kRootfsTar;
  if (!forced.empty()) return InvalidArgument("--format must be rootfs, oci or oci-archive");
  if (dir) return PathExists(JoinPath(source, "oci-layout")) ? Format::kLayout : Format::kRootfsDir;
  ASSIGN_OR_RETURN(bool oci, TarLooksLikeOciArchive(source));
  return oci ? Format::kArchive : Format::kRootfsTar;
}

Result<oci::Descriptor> ImportRootfs(content::BlobStore& blobs, const std::string& source,
                                     bool is_dir, bool zstd) {
  snapshot::WriteOptions options;
  options.compression = zstd ? oci::Compression::kZstd : oci::Compression::kGzip;
  bool tty = ::isatty(2);
  Stopwatch watch;
  options.on_progress = [&](int64_t bytes) {
    if (tty) std::fprintf(stderr, "\rkiln: packing layer: %s ", FormatBytes(bytes).c_str());
  };
  auto layer = is_dir ? snapshot::WriteLayerFromDir(source, options, blobs)
                      : snapshot::WriteLayerFromTarball(source, options, blobs);
  if (tty) std::fprintf(stderr, "\n");
  if (!layer.ok()) return layer.status();
  LogInfo("layer " + layer->descriptor.digest.Short() + ": " +
          FormatBytes(layer->uncompressed_bytes) + " tar, " + FormatBytes(layer->descriptor.size) +
          " compressed, " + std::to_string(layer->entries) + " entries, " +
          FormatDuration(watch.Seconds()));
  int64_t now = Clock::Real()->NowUnix();
  snapshot::ImageDraft draft{snapshot::RootfsConfig(now), {}};
  snapshot::AddLayer(draft, *layer, {FormatRfc3339(now), "kiln image import " + source, "", false});
  return snapshot::CommitImage(draft, blobs);
}

}  // namespace

int ImageImportCommand(App& app, const Args& args) {
  if (WantsHelp(args, kHelp)) return 0;
  auto flags = Flags::Parse(args, {{"--format", "", true}, {"--zstd", "", false}});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->positional().size() != 2) {
    return Fail(InvalidArgument("usage: kiln image import SOURCE NAME[:TAG] (see --help)"));
  }
  std::string source = flags->positional()[0], ref;
  auto name = content::NormalizeImageName(flags->positional()[1]);
  if (!name.ok()) return Fail(name.status());
  auto format = Detect(source, ref, flags->Get("--format"));
  if (!format.ok()) return Fail(format.status());
  auto store = app.Store();
  if (!store.ok()) return Fail(store.status());

  Stopwatch watch;
  // All or nothing: on failure, the blobs this import added are removed again (PutImage).
  auto manifest =
      (*store)->PutImage(*name, [&](content::BlobStore& blobs) -> Result<oci::Descriptor> {
        switch (*format) {
          case Format::kLayout:
            return content::ImportLayout(blobs, source, ref);
          case Format::kArchive:
            return content::ImportArchive(blobs, source, ref);
          case Format::kRootfsDir:
          case Format::kRootfsTar:
            break;
        }
        return ImportRootfs(blobs, source, *format == Format::kRootfsDir, flags->Has("--zstd"));
      });
  if (!manifest.ok()) return Fail(manifest.status().WithContext("import " + source));
  std::printf("%s %s\n", name->c_str(), manifest->digest.str().c_str());
  LogInfo("imported " + source + " as " + *name + " in " + FormatDuration(watch.Seconds()));
  return 0;
}

}  // namespace kiln::cli
