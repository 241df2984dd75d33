// oci-archive tarballs (a tar of an OCI image layout) in and out of the store. Import streams
// the tar: each blob is ingested straight from it and checked against its name. Export streams
// each blob from the store into the tar, so memory stays flat whatever the image's size.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <set>

#include "base/fs.h"
#include "content/image_store.h"
#include "content/layout_pick.h"

namespace kiln::content {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

Status IngestEntry(BlobStore& blobs, archive* a, const std::string& name, std::string* small) {
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
  if (blobs.Has(digest)) return Status::Ok();
  ASSIGN_OR_RETURN(auto w, blobs.NewWriter());
  char buf[1 << 16];
  la_ssize_t n;
  while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
    RETURN_IF_ERROR(w->Write(std::string_view(buf, static_cast<size_t>(n))));
  }
  if (n < 0) return DataLoss(std::string("read ") + name + ": " + archive_error_string(a));
  auto c = w->Commit("", digest);
  return c.ok() ? Status::Ok() : c.status().WithContext(name);
}

struct WriterFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

// One regular file of `size` bytes whose content `fill` writes with archive_write_data.
Status AddEntry(archive* w, const std::string& name, int64_t size,
                const std::function<Status()>& fill) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, size);
  int rc = archive_write_header(w, e);
  archive_entry_free(e);
  if (rc != ARCHIVE_OK)
    return Internal(std::string("tar header ") + name + ": " + archive_error_string(w));
  return fill();
}

Status WriteData(archive* w, std::string_view data) {
  if (archive_write_data(w, data.data(), data.size()) < 0)
    return Internal(std::string("write: ") + archive_error_string(w));
  return Status::Ok();
}

// The layout as a tar: oci-layout, index.json, then each blob streamed from the store.
Status WriteArchive(ImageStore& store, const std::string& path, const std::string& index_json,
                    const std::vector<oci::Descriptor>& blobs) {
  std::unique_ptr<archive, WriterFree> w(archive_write_new());
  archive_write_set_format_pax_restricted(w.get());
  if (archive_write_open_filename(w.get(), path.c_str()) != ARCHIVE_OK) {
    return Internal("write " + path + ": " + archive_error_string(w.get()));
  }
  for (const auto& [name, text] :
       {std::pair<std::string, std::string>{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"},
        {"index.json", index_json}}) {
    RETURN_IF_ERROR(AddEntry(w.get(), name, static_cast<int64_t>(text.size()),
                             [&, &t = text] { return WriteData(w.get(), t); }));
  }
  std::set<std::string> written;
  for (const auto& d : blobs) {
    if (!written.insert(d.digest.str()).second) continue;
    ASSIGN_OR_RETURN(UniqueFd fd, store.blobs().Open(d.digest));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat blob " + d.digest.str(), errno);
    if (st.st_size != d.size) {
      return DataLoss("blob " + d.digest.str() + " holds " + std::to_string(st.st_size) +
                      " bytes, its descriptor " + std::to_string(d.size));
    }
    std::string name =
        "blobs/" + std::string(d.digest.algorithm()) + "/" + std::string(d.digest.hex());
    RETURN_IF_ERROR(AddEntry(w.get(), name, d.size, [&]() -> Status {
      // Exactly the header's size, or an error: a tar entry must never disagree with its header.
      int64_t sent = 0;
      RETURN_IF_ERROR(ReadChunks(fd.get(), [&](std::string_view chunk) {
        sent += static_cast<int64_t>(chunk.size());
        return sent > d.size ? DataLoss("blob " + d.digest.str() + " grew while being exported")
                             : WriteData(w.get(), chunk);
      }));
      return sent == d.size ? Status::Ok()
                            : DataLoss("blob " + d.digest.str() + " shrank while being exported");
    }));
  }
  if (archive_write_close(w.get()) != ARCHIVE_OK)
    return Internal("write " + path + ": " + archive_error_string(w.get()));
  return Status::Ok();
}

}  // namespace

Result<oci::Descriptor> ImportArchive(BlobStore& blobs, const std::string& path,
                                      const std::string& ref) {
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
    const char* raw = archive_entry_pathname(e);
    std::string name = raw == nullptr ? "" : raw;
    while (name.rfind("./", 0) == 0) name = name.substr(2);
    if (name.empty() || name == "blobs" || name == "blobs/") continue;
    if (name.find("..") != std::string::npos || name[0] == '/')
      return InvalidArgument(path + ": unsafe entry \"" + name + "\"");
    if (archive_entry_filetype(e) == AE_IFDIR) continue;
    Status s = IngestEntry(blobs, a.get(), name, name == "index.json" ? &index_text : &layout_text);
    if (!s.ok()) return s.WithContext(path);
  }
  if (rc != ARCHIVE_EOF) return DataLoss(path + ": " + archive_error_string(a.get()));
  if (index_text.empty() || layout_text.empty())
    return InvalidArgument(path + " is not an oci-archive (no index.json or oci-layout)");
  ASSIGN_OR_RETURN(oci::Index index, oci::ParseIndex(index_text));
  ASSIGN_OR_RETURN(oci::Descriptor chosen, PickManifest(index, ref, path));
  auto read = [&](const oci::Descriptor& d) { return blobs.Read(d.digest); };
  ASSIGN_OR_RETURN(oci::Descriptor manifest_desc, ResolvePlatform(chosen, read));
  ASSIGN_OR_RETURN(std::string text, read(manifest_desc));
  ASSIGN_OR_RETURN(oci::Manifest m, oci::ParseManifest(text));
  for (const auto& d : m.layers) {
    if (!blobs.Has(d.digest)) return DataLoss(path + ": layer " + d.digest.str() + " is missing");
  }
  ASSIGN_OR_RETURN(int64_t config_size, blobs.Size(m.config.digest));
  if (config_size != m.config.size)
    return DataLoss(path + ": config size differs from its descriptor");
  return manifest_desc;
}

Status ExportArchive(ImageStore& store, const std::string& name, const std::string& path,
                     const std::string& ref) {
  ASSIGN_OR_RETURN(LoadedImage img, store.Load(name));
  oci::Index index;
  index.manifests.push_back(TaggedEntry(img, ref));
  std::string tmp = path + ".tmp";
  Status s = WriteArchive(store, tmp, oci::SerializeIndex(index), BlobsOf(img));
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("rename " + tmp, err);
  }
  return Status::Ok();
}

}  // namespace kiln::content
