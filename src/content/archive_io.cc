// oci-archive tarballs (a tar of an OCI image layout) in and out of the store. Import streams
// the tar: each blob is ingested straight from it and checked against its name.
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstdio>
#include <unistd.h>

#include "base/fs.h"
#include "content/image_store.h"
#include "content/layout_pick.h"

namespace kiln::content {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

Status IngestEntry(ImageStore& store, archive* a, const std::string& name, std::string* small) {
  if (name == "oci-layout" || name == "index.json") {
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
      if (small->size() > (4 << 20)) return InvalidArgument(name + " is larger than 4 MiB");
      small->append(buf, static_cast<size_t>(n));
    }
    return n < 0 ? DataLoss(archive_error_string(a)) : Status::Ok();
  }
  if (name.rfind("blobs/", 0) != 0) return InvalidArgument("unexpected entry \"" + name + "\"");
  std::string rest = name.substr(6);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return Status::Ok();  // the blobs/<alg>/ directory itself
  std::string hex = rest.substr(slash + 1);
  if (hex.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(oci::Digest digest, oci::Digest::Parse(rest.substr(0, slash) + ":" + hex));
  if (store.blobs().Has(digest)) return Status::Ok();
  ASSIGN_OR_RETURN(auto w, store.blobs().NewWriter());
  char buf[1 << 16];
  la_ssize_t n;
  while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
    RETURN_IF_ERROR(w->Write(std::string_view(buf, static_cast<size_t>(n))));
  }
  if (n < 0) return DataLoss(std::string("read ") + name + ": " + archive_error_string(a));
  auto c = w->Commit("", digest);
  return c.ok() ? Status::Ok() : c.status().WithContext(name);
}

}  // namespace

Result<oci::Descriptor> ImportArchive(ImageStore& store, const std::string& path, const std::string& ref) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_none(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return InvalidArgument(path + ": " + archive_error_string(a.get()));
  }
  std::string index_text, layout_text;
  archive_entry* e;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(e);
    while (name.rfind("./", 0) == 0) name = name.substr(2);
    if (name.empty() || name == "blobs" || name == "blobs/") continue;
    if (name.find("..") != std::string::npos || name[0] == '/') return InvalidArgument(path + ": unsafe entry \"" + name + "\"");
    if (archive_entry_filetype(e) == AE_IFDIR) continue;
    Status s = IngestEntry(store, a.get(), name, name == "index.json" ? &index_text : &layout_text);
    if (!s.ok()) return s.WithContext(path);
  }
  if (rc != ARCHIVE_EOF) return DataLoss(path + ": " + archive_error_string(a.get()));
  if (index_text.empty() || layout_text.empty()) return InvalidArgument(path + " is not an oci-archive (no index.json or oci-layout)");
  ASSIGN_OR_RETURN(oci::Index index, oci::ParseIndex(index_text));
  ASSIGN_OR_RETURN(oci::Descriptor chosen, PickManifest(index, ref, path));
  auto read = [&](const oci::Descriptor& d) { return store.blobs().Read(d.digest); };
  ASSIGN_OR_RETURN(oci::Descriptor manifest_desc, ResolvePlatform(chosen, read));
  ASSIGN_OR_RETURN(std::string text, read(manifest_desc));
  ASSIGN_OR_RETURN(oci::Manifest m, oci::ParseManifest(text));
  for (const auto& d : m.layers) {
    if (!store.blobs().Has(d.digest)) return DataLoss(path + ": layer " + d.digest.str() + " is missing");
  }
  ASSIGN_OR_RETURN(int64_t config_size, store.blobs().Size(m.config.digest));
  if (config_size != m.config.size) return DataLoss(path + ": config size differs from its descriptor");
  return manifest_desc;
}

Status ExportArchive(ImageStore& store, const std::string& name, const std::string& path, const std::string& ref) {
  ASSIGN_OR_RETURN(std::string tmpdir, MakeTempDir(store.root(), ".export-"));
  Status s = ExportLayout(store, name, tmpdir, ref);
  std::string tmp = path + ".tmp";
  if (s.ok()) {
    archive* w = archive_write_new();
    archive_write_set_format_pax_restricted(w);
    if (archive_write_open_filename(w, tmp.c_str()) != ARCHIVE_OK) {
      s = Internal(std::string("write ") + tmp + ": " + archive_error_string(w));
    }
    std::vector<std::string> files = {"oci-layout", "index.json"};
    auto blobs = ListDir(tmpdir + "/blobs/sha256");
    if (blobs.ok()) for (const auto& b : *blobs) files.push_back("blobs/sha256/" + b);
    for (size_t i = 0; s.ok() && i < files.size(); ++i) {
      auto data = ReadFile(tmpdir + "/" + files[i]);
      if (!data.ok()) { s = data.status(); break; }
      archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, files[i].c_str());
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(data->size()));
      if (archive_write_header(w, e) != ARCHIVE_OK ||
          archive_write_data(w, data->data(), data->size()) < 0) {
        s = Internal(std::string("write ") + tmp + ": " + archive_error_string(w));
      }
      archive_entry_free(e);
    }
    if (archive_write_close(w) != ARCHIVE_OK && s.ok()) s = Internal(archive_error_string(w));
    archive_write_free(w);
  }
  (void)RemoveTree(tmpdir);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename " + tmp, errno);
  return Status::Ok();
}

}  // namespace kiln::content
