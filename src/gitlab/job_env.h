// What a GitLab custom-executor stage learns of its job from the environment gitlab-runner sets:
// the job's variables as CUSTOM_ENV_<NAME> (CI_JOB_IMAGE, CI_JOB_SERVICES, CI_RUNNER_ID,
// CI_JOB_ID, CI_CONCURRENT_PROJECT_ID), and the runner's own BUILD_FAILURE_EXIT_CODE,
// SYSTEM_FAILURE_EXIT_CODE and BUILD_EXIT_CODE_FILE. Pure functions over a map, so they are
// tested without a runner.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "registry/client.h"

namespace kiln::gitlab {

using Env = std::map<std::string, std::string>;

// One entry of CI_JOB_SERVICES: [{"name":"redis:7","alias":"cache","entrypoint":null,
// "command":null,"variables":{"K":"V"}}, …] (alias may hold several, comma- or space-separated;
// entrypoint and command are arrays of strings or null; variables, which newer gitlab-runners
// send, is an object of strings, also read as a list of {"key","value"}, absent or null = none).
struct Service {
  std::string name;  // the image
  std::vector<std::string> aliases;
  std::optional<std::vector<std::string>> entrypoint, command;
  std::vector<std::string> env;  // its variables, "K=V" (values are secrets: never printed)
};

struct Job {
  std::string key;    // the pod's: "gitlab-<runner id>-<job id>"
  std::string image;  // CI_JOB_IMAGE; "" = none given
  std::vector<Service> services;
  // Every CUSTOM_ENV_<NAME> as "NAME=V" (the job's variables, which the services get, as
  // gitlab-runner's docker executor gives them), but the runner's own credentials
  // (IsRunnerCredential): a service is no place for the job's token. Never printed.
  std::vector<std::string> variables;
  // CI's DOCKER_AUTH_CONFIG variable (a docker config.json: {"auths": {HOST: {"auth": …}}}), as
  // gitlab-runner's docker executor reads it for the job's and services' images. A secret:
  // never printed.
  std::string docker_auth_config;
};

// True for the variables that carry the runner's or GitLab's credentials for the job
// (CI_JOB_TOKEN, CI_JOB_JWT*, CI_REGISTRY_PASSWORD, CI_DEPENDENCY_PROXY_PASSWORD,
// CI_DEPLOY_PASSWORD, CI_REPOSITORY_URL, which embeds the job token, DOCKER_AUTH_CONFIG): kept
// from services.
bool IsRunnerCredential(const std::string& name);

// The process environment as a map.
Env ProcessEnv();
// The job the CUSTOM_ENV_ variables describe. InvalidArgument when the job id is missing or
// CI_JOB_SERVICES is not the JSON gitlab-runner writes.
Result<Job> ParseJob(const Env& env);
// Parses CI_JOB_SERVICES ("" = none).
Result<std::vector<Service>> ParseServices(const std::string& json);
// The names a service is reached by when it has no alias, as gitlab-runner's docker executor
// makes them: the image name without tag or digest, '/' replaced by "__" and by '-'
// ("tutum/wordpress:latest" -> "tutum__wordpress", "tutum-wordpress").
std::vector<std::string> DefaultAliases(const std::string& image);

// The registry host `image` names ("registry.example.com:5000/team/ci:3" ->
// "registry.example.com:5000"); "" for a name with no host ("toolbox:latest", "team/ci").
std::string RegistryHost(const std::string& image);
// The credentials `docker_auth_config` holds for `image`'s registry; nullopt for none, an image
// with no host, or a host handed to a credential helper. Errors name the variable, never a value.
Result<std::optional<registry::Credentials>> ImageCredentials(const std::string& docker_auth_config,
                                                              const std::string& image);

// The runner's exit codes for this call (1 for each when unset or not a number).
struct ExitCodes {
  int build_failure = 1;
  int system_failure = 1;
  std::string build_exit_code_file;  // "" = not asked
};
ExitCodes ParseExitCodes(const Env& env);

}  // namespace kiln::gitlab
