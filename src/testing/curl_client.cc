#include "testing/curl_client.h"

#include <gtest/gtest.h>
#include <strings.h>

#include <cstdlib>

#include "base/fs.h"
#include "base/sha256.h"
#include "base/subprocess.h"

namespace kiln::testing {
namespace {

// A curl config value in double quotes (backslash and quote escaped).
std::string Quote(const std::string& v) {
  std::string q = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

}  // namespace

std::string HttpReply::Header(const std::string& name) const {
  std::string value;
  size_t start = 0;
  while (start < headers.size()) {
    size_t end = headers.find('\n', start);
    if (end == std::string::npos) end = headers.size();
    std::string line = headers.substr(start, end - start);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        ::strncasecmp(line.c_str(), name.c_str(), name.size()) == 0) {
      value = line.substr(name.size() + 1);
      value.erase(0, value.find_first_not_of(' '));
      while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    }
    start = end + 1;
  }
  return value;
}

void CurlClient::SetBasic(const std::string& user, const std::string& password) {
  auth_config_ = "user = " + Quote(user + ":" + password) + "\n";
}

void CurlClient::SetBearer(const std::string& token) {
  auth_config_ = "header = " + Quote("Authorization: Bearer " + token) + "\n";
}

HttpReply CurlClient::Do(const std::string& method, const std::string& url, const std::string* body,
                         const std::vector<std::string>& headers) {
  std::string head_file = dir_.Sub("headers"), body_file = dir_.Sub("body");
  std::string config = auth_config_;
  for (const auto& h : headers) config += "header = " + Quote(h) + "\n";
  std::vector<std::string> argv = {"curl",       "-sS",     "-K", "-",
                                   "-X",         method,    "-D", head_file,
                                   "-o",         body_file, "-w", "%{http_code} %{http_version}",
                                   "--max-time", "60"};
  if (method == "HEAD") argv.push_back("-I");
  if (http11_) argv.push_back("--http1.1");
  if (!ca_file_.empty()) argv.insert(argv.end(), {"--cacert", ca_file_});
  if (body != nullptr) {
    std::string data_file = dir_.Sub("data");
    EXPECT_TRUE(WriteFileAtomic(data_file, *body).ok());
    argv.insert(argv.end(), {"--data-binary", "@" + data_file});
    if (method != "POST" || !body->empty()) {
      argv.insert(argv.end(), {"-H", "Content-Type: application/octet-stream"});
    }
  }
  argv.push_back(url);
  (void)RemoveTree(head_file);
  (void)RemoveTree(body_file);
  SubprocessOptions opts;
  opts.stdin_data = config;
  HttpReply reply;
  auto r = RunProcess(argv, opts);
  EXPECT_TRUE(r.ok()) << "curl: " << r.status().ToString();
  if (!r.ok()) return reply;
  reply.curl_exit = r->exit_code;
  reply.status = std::atoi(r->out.c_str());
  size_t sp = r->out.find(' ');
  if (sp != std::string::npos) reply.http_version = r->out.substr(sp + 1);
  auto h = ReadFile(head_file);
  if (h.ok()) reply.headers = *h;
  auto b = ReadFile(body_file);
  if (b.ok()) reply.body = *b;
  return reply;
}

std::string PushBlob(CurlClient& curl, const std::string& base_url, const std::string& repo,
                     const std::string& data) {
  std::string digest = "sha256:" + Sha256::Hex(data);
  auto start = curl.Post(base_url + "/v2/" + repo + "/blobs/uploads/", "");
  EXPECT_EQ(start.status, 202) << repo << ": " << start.headers << start.body;
  std::string location = start.Header("Location");
  if (start.status != 202 || location.empty()) return "";
  if (location[0] == '/') location = base_url + location;
  location += (location.find('?') == std::string::npos ? "?digest=" : "&digest=") + digest;
  auto put = curl.Put(location, data);
  EXPECT_EQ(put.status, 201) << repo << ": " << put.headers << put.body;
  return put.status == 201 ? digest : "";
}

}  // namespace kiln::testing
