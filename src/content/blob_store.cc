#include "content/blob_store.h"

namespace kiln::content {

Result<oci::Descriptor> BlobStore::Put(std::string_view data, std::string media_type,
                                       std::optional<oci::Digest> expected) {
  ASSIGN_OR_RETURN(auto writer, NewWriter());
  RETURN_IF_ERROR(writer->Write(data));
  return writer->Commit(std::move(media_type), std::move(expected),
                        static_cast<int64_t>(data.size()));
}

Result<std::string> BlobStore::Read(const oci::Digest& digest) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(digest));
  ASSIGN_OR_RETURN(std::string data, ReadAll(fd.get()));
  if (oci::Digest::FromData(data) != digest) {
    return DataLoss("blob " + digest.str() + " does not match its digest");
  }
  return data;
}

}  // namespace kiln::content
