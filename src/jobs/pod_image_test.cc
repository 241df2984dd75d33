#include <gtest/gtest.h>

#include "jobs/pod.h"

namespace kiln::jobs {
namespace {

ContainerRequest Request(const std::string& image, const std::string& server) {
  ContainerRequest r;
  r.image = image;
  r.registry_username = "u";
  r.registry_password = "p";
  r.registry_server = server;
  return r;
}

TEST(RequestCredentialsFor, OnlyTheServersHost) {
  ContainerRequest quay = Request("quay.io/org/app:1", "https://quay.io");
  EXPECT_TRUE(RequestCredentialsFor(quay, "quay.io"));
  EXPECT_FALSE(RequestCredentialsFor(quay, "docker.io"));
  EXPECT_FALSE(RequestCredentialsFor(quay, "evil.example:5000"));
  // The server names another registry than the image's: its credentials stay with it.
  ContainerRequest other = Request("127.0.0.1:5000/app", "ghcr.io");
  EXPECT_FALSE(RequestCredentialsFor(other, "127.0.0.1:5000"));
  EXPECT_TRUE(RequestCredentialsFor(other, "ghcr.io"));
}

TEST(RequestCredentialsFor, DockerHubAliasesAreOne) {
  for (const char* server : {"docker.io", "index.docker.io", "registry-1.docker.io",
                             "https://index.docker.io/v1/", ""}) {
    ContainerRequest r = Request("node:22", server);
    for (const char* host : {"docker.io", "index.docker.io", "registry-1.docker.io"}) {
      EXPECT_TRUE(RequestCredentialsFor(r, host)) << server << " " << host;
    }
    EXPECT_FALSE(RequestCredentialsFor(r, "quay.io")) << server;
  }
}

TEST(RequestCredentialsFor, EmptyServerIsTheImagesRegistry) {
  ContainerRequest r = Request("127.0.0.1:5000/team/app:1", "");
  EXPECT_TRUE(RequestCredentialsFor(r, "127.0.0.1:5000"));
  EXPECT_FALSE(RequestCredentialsFor(r, "127.0.0.1:5001"));
  EXPECT_FALSE(RequestCredentialsFor(r, "docker.io"));
  EXPECT_FALSE(RequestCredentialsFor(Request("NOT a ref", ""), "docker.io"));
}

}  // namespace
}  // namespace kiln::jobs
