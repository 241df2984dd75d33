// The shared Client suite (compiled into both test binaries).
#include "registry/client_suite.h"

#include <sys/mman.h>

#include <algorithm>

#include "base/json.h"
#include "oci/media_types.h"

namespace kiln::registry {

std::string SuiteAuthName(SuiteAuth auth) {
  switch (auth) {
    case SuiteAuth::kOpen:
      return "Open";
    case SuiteAuth::kBasic:
      return "Basic";
    case SuiteAuth::kBearer:
      return "Bearer";
  }
  return "?";
}

void ClientSuite::SetUp() {
  env_ = MakeClientSuiteEnv(GetParam(), dir_);
  ASSERT_NE(env_.transport, nullptr);
  if (!env_.credentials.username.empty()) credentials_.by_host[env_.host] = env_.credentials;
  client_ = NewClient();
}

std::unique_ptr<Client> ClientSuite::NewClient() {
  ClientOptions options;
  options.transport = env_.transport;
  options.credentials = &credentials_;
  options.host = env_.host_options;
  options.retry.sleep = [](double) {};
  return std::make_unique<Client>(env_.host, options);
}

oci::Descriptor ClientSuite::PushBytes(const std::string& repo, const std::string& bytes,
                                       int64_t chunk_size) {
  BlobUpload upload;
  upload.descriptor.digest = oci::Digest::FromData(bytes);
  upload.descriptor.size = static_cast<int64_t>(bytes.size());
  upload.descriptor.media_type = "application/octet-stream";
  upload.chunk_size = chunk_size;
  upload.open = [bytes]() -> Result<UniqueFd> {
    UniqueFd fd(::memfd_create("blob", MFD_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus("memfd_create", errno);
    RETURN_IF_ERROR(WriteAll(fd.get(), bytes));
    return fd;
  };
  Status s = client_->PushBlob(repo, upload);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return upload.descriptor;
}

ClientSuite::Pushed ClientSuite::PushImage(const std::string& repo, const std::string& tag,
                                           const std::string& layer) {
  Pushed p;
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers",)"
                       R"("diff_ids":["sha256:)" +
                       oci::Digest::FromData(layer).str().substr(7) + R"("]}})";
  p.config = PushBytes(repo, config);
  p.config.media_type = oci::kMediaTypeConfig;
  p.layer = PushBytes(repo, layer);
  p.layer.media_type = oci::kMediaTypeLayer;
  Json m = {{"schemaVersion", 2},
            {"mediaType", oci::kMediaTypeManifest},
            {"config",
             {{"mediaType", p.config.media_type},
              {"digest", p.config.digest.str()},
              {"size", p.config.size}}},
            {"layers", Json::array({{{"mediaType", p.layer.media_type},
                                     {"digest", p.layer.digest.str()},
                                     {"size", p.layer.size}}})}};
  p.manifest_bytes = DumpJson(m);
  p.manifest = {oci::kMediaTypeManifest,
                oci::Digest::FromData(p.manifest_bytes),
                static_cast<int64_t>(p.manifest_bytes.size()),
                {},
                std::nullopt};
  Status s = client_->PutManifest(repo, tag, oci::kMediaTypeManifest, p.manifest_bytes);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p;
}

std::string ClientSuite::GetAll(const std::string& repo, const oci::Descriptor& blob) {
  std::string got;
  Status s = client_->GetBlob(repo, blob, [&](std::string_view chunk) {
    got.append(chunk);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return got;
}

namespace {

std::string Bytes(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7 + i / 251);
  return s;
}

}  // namespace

TEST_P(ClientSuite, Ping) { EXPECT_TRUE(client_->Ping().ok()) << client_->Ping().ToString(); }

TEST_P(ClientSuite, ManifestPutGetHeadByTagAndDigest) {
  Pushed p = PushImage("team/tool", "1.0", Bytes(3000, 'a'));
  auto by_tag = client_->GetManifest("team/tool", "1.0");
  ASSERT_TRUE(by_tag.ok()) << by_tag.status().ToString();
  EXPECT_EQ(by_tag->bytes, p.manifest_bytes);
  EXPECT_EQ(by_tag->descriptor.digest, p.manifest.digest);
  EXPECT_EQ(by_tag->descriptor.media_type, oci::kMediaTypeManifest);
  EXPECT_EQ(by_tag->descriptor.size, p.manifest.size);
  auto by_digest = client_->GetManifest("team/tool", p.manifest.digest.str());
  ASSERT_TRUE(by_digest.ok()) << by_digest.status().ToString();
  EXPECT_EQ(by_digest->bytes, p.manifest_bytes);
  auto head = client_->HeadManifest("team/tool", "1.0");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->digest, p.manifest.digest);
  EXPECT_EQ(head->size, p.manifest.size);
  EXPECT_EQ(head->media_type, oci::kMediaTypeManifest);
  // A manifest pushed under its digest is there by digest, and no tag moved.
  EXPECT_TRUE(client_
                  ->PutManifest("team/tool", p.manifest.digest.str(), oci::kMediaTypeManifest,
                                p.manifest_bytes)
                  .ok());
  auto missing = client_->GetManifest("team/tool", "2.0");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("MANIFEST_UNKNOWN"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("team/tool:2.0"), std::string::npos);
}

TEST_P(ClientSuite, ManifestWhoseBlobsAreMissingIsRefused) {
  std::string bytes =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      oci::Digest::FromData("absent").str() + R"(","size":6},"layers":[]})";
  Status s = client_->PutManifest("team/tool", "broken", oci::kMediaTypeManifest, bytes);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("MANIFEST_BLOB_UNKNOWN"), std::string::npos) << s.message();
  EXPECT_EQ(client_->HeadManifest("team/tool", "broken").status().code(), Code::kNotFound);
}

TEST_P(ClientSuite, BlobsMonolithicAndChunked) {
  std::string small = Bytes(10, 's'), big = Bytes(200 * 1000 + 17, 'b');
  oci::Descriptor a = PushBytes("team/blobs", small);
  oci::Descriptor b = PushBytes("team/blobs", big, 64 * 1024);
  oci::Descriptor empty = PushBytes("team/blobs", "");
  EXPECT_TRUE(*client_->HasBlob("team/blobs", a.digest));
  EXPECT_TRUE(*client_->HasBlob("team/blobs", b.digest));
  EXPECT_FALSE(*client_->HasBlob("team/blobs", oci::Digest::FromData("nope")));
  EXPECT_EQ(GetAll("team/blobs", a), small);
  EXPECT_EQ(GetAll("team/blobs", b), big);
  EXPECT_EQ(GetAll("team/blobs", empty), "");
  // From an offset: the rest only.
  std::string rest;
  ASSERT_TRUE(client_
                  ->GetBlob(
                      "team/blobs", b,
                      [&](std::string_view c) {
                        rest.append(c);
                        return Status::Ok();
                      },
                      1000)
                  .ok());
  EXPECT_EQ(rest, big.substr(1000));
  Status missing = client_->GetBlob("team/blobs", {"x", oci::Digest::FromData("nope"), 4, {}, {}},
                                    [](std::string_view) { return Status::Ok(); });
  EXPECT_EQ(missing.code(), Code::kNotFound) << missing.ToString();
}

TEST_P(ClientSuite, MountFromAnotherRepository) {
  oci::Descriptor d = PushBytes("team/source", Bytes(5000, 'm'));
  auto mounted = client_->MountBlob("team/target", d.digest, "team/source");
  ASSERT_TRUE(mounted.ok()) << mounted.status().ToString();
  EXPECT_TRUE(*mounted);
  EXPECT_TRUE(*client_->HasBlob("team/target", d.digest));
  auto absent = client_->MountBlob("team/target", oci::Digest::FromData("nope"), "team/source");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(*absent);
}

TEST_P(ClientSuite, TagsListedAcrossPagesAndDeleted) {
  Pushed p = PushImage("team/tags", "a", Bytes(100, 't'));
  for (std::string tag : {"b", "c", "d", "e"}) {
    ASSERT_TRUE(
        client_->PutManifest("team/tags", tag, oci::kMediaTypeManifest, p.manifest_bytes).ok());
  }
  auto tags = client_->ListTags("team/tags");
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  std::sort(tags->begin(), tags->end());
  EXPECT_EQ(*tags, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  Status s = client_->DeleteManifest("team/tags", p.manifest.digest);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(client_->GetManifest("team/tags", p.manifest.digest.str()).status().code(),
            Code::kNotFound);
  EXPECT_EQ(client_->HeadManifest("team/tags", "a").status().code(), Code::kNotFound);
  auto after = client_->ListTags("team/tags");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(after->empty());
  EXPECT_EQ(client_->ListTags("team/none").status().code(), Code::kNotFound);
}

}  // namespace kiln::registry
