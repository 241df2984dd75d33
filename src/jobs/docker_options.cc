// ApplyDockerOptions (docker_options.h): docker `create` options into a ContainerRequest.
#include "jobs/docker_options.h"

#include <map>
#include <string>

namespace kiln::jobs {
namespace {

// Every option honoured, by its long name; the short ones map to these.
const std::map<std::string, bool>& Options() {  // name → takes a value
  static const std::map<std::string, bool> options = {{"--cpus", true},
                                                      {"--memory", true},
                                                      {"--env", true},
                                                      {"--user", true},
                                                      {"--hostname", true},
                                                      {"--health-cmd", true},
                                                      {"--health-interval", true},
                                                      {"--health-retries", true},
                                                      {"--health-timeout", true},
                                                      {"--health-start-period", true},
                                                      {"--no-healthcheck", false},
                                                      {"--entrypoint", true},
                                                      {"--network-alias", true},
                                                      {"--workdir", true},
                                                      {"--name", true}};
  return options;
}

const std::map<char, std::string>& ShortOptions() {
  static const std::map<char, std::string> shorts = {
      {'m', "--memory"}, {'e', "--env"}, {'u', "--user"}, {'h', "--hostname"}, {'w', "--workdir"}};
  return shorts;
}

struct Parsed {
  double cpus = 0;
  int64_t memory = 0;
  ContainerRequest request;
};

HealthCheck& Health(ContainerRequest& r) {
  if (!r.health) r.health = HealthCheck{};
  return *r.health;
}

Status ApplyOne(const std::string& name, const std::string& value, const EnvLookup& getenv,
                Parsed* p) {
  ContainerRequest& r = p->request;
  if (name == "--cpus") {
    size_t used = 0;
    double cpus = 0;
    try {
      cpus = std::stod(value, &used);
    } catch (...) {
      used = 0;
    }
    if (used != value.size() || !(cpus > 0))
      return InvalidArgument("bad CPU count '" + value + "'");
    p->cpus = cpus;
  } else if (name == "--memory") {
    ASSIGN_OR_RETURN(p->memory, ParseDockerBytes(value));
  } else if (name == "--env") {
    if (value.empty() || value[0] == '=') return InvalidArgument("a variable with no name");
    if (value.find('=') != std::string::npos) {
      r.env.push_back(value);
    } else if (auto v = getenv ? getenv(value) : std::nullopt) {
      r.env.push_back(value + "=" + *v);
    }
  } else if (name == "--user") {
    r.user = value;
  } else if (name == "--hostname") {
    r.hostname = value;
  } else if (name == "--health-cmd") {
    Health(r).test = {"CMD-SHELL", value};
  } else if (name == "--no-healthcheck") {
    Health(r).test = {"NONE"};
  } else if (name == "--health-retries") {
    size_t used = 0;
    int n = -1;
    try {
      n = std::stoi(value, &used);
    } catch (...) {
      used = 0;
    }
    if (used != value.size() || n < 1) return InvalidArgument("bad retry count '" + value + "'");
    Health(r).retries = n;
  } else if (name == "--health-interval" || name == "--health-timeout" ||
             name == "--health-start-period") {
    ASSIGN_OR_RETURN(double seconds, ParseDockerDuration(value));
    HealthCheck& h = Health(r);
    (name == "--health-interval"  ? h.interval_seconds
     : name == "--health-timeout" ? h.timeout_seconds
                                  : h.start_period_seconds) = seconds;
  } else if (name == "--entrypoint") {
    r.entrypoint = std::vector<std::string>{value};
  } else if (name == "--network-alias") {
    r.aliases.push_back(value);
  } else if (name == "--workdir") {
    r.workdir = value;
  } else if (name == "--name") {
    r.name = value;
  }
  return Status::Ok();
}

// The option's long name and its inline value ("--cpus=2", "-m4g"), or an error.
Status Split(const std::string& word, std::string* name, std::optional<std::string>* inline_value) {
  if (word.rfind("--", 0) == 0) {
    size_t eq = word.find('=');
    *name = word.substr(0, eq);
    if (eq != std::string::npos) *inline_value = word.substr(eq + 1);
  } else if (word.size() >= 2 && word[0] == '-') {
    auto it = ShortOptions().find(word[1]);
    if (it == ShortOptions().end()) {
      return InvalidArgument("docker option " + word.substr(0, 2) + " is not supported by kiln");
    }
    *name = it->second;
    if (word.size() > 2) *inline_value = word.substr(word[2] == '=' ? 3 : 2);
  } else {
    return InvalidArgument("'" + word + "' is no option (kiln takes create options only)");
  }
  if (!Options().count(*name)) {
    return InvalidArgument("docker option " + *name + " is not supported by kiln");
  }
  return Status::Ok();
}

}  // namespace

Status ApplyDockerOptions(std::string_view options, const EnvLookup& getenv,
                          ContainerRequest* request) {
  ASSIGN_OR_RETURN(std::vector<std::string> words, SplitShellWords(options));
  Parsed p{0, 0, *request};
  for (size_t i = 0; i < words.size(); ++i) {
    std::string name;
    std::optional<std::string> value;
    RETURN_IF_ERROR_CTX(Split(words[i], &name, &value), "createOptions");
    bool takes_value = Options().at(name);
    if (!takes_value && value) {
      return InvalidArgument("createOptions: " + name + " takes no value");
    }
    if (takes_value && !value) {
      if (i + 1 >= words.size())
        return InvalidArgument("createOptions: " + name + " needs a value");
      value = words[++i];
    }
    RETURN_IF_ERROR_CTX(ApplyOne(name, value.value_or(""), getenv, &p), "createOptions: " + name);
  }
  if (p.cpus > 0 || p.memory > 0) {
    ASSIGN_OR_RETURN(p.request.size, SizeForLimits(p.cpus, p.memory));
  }
  *request = std::move(p.request);
  return Status::Ok();
}

}  // namespace kiln::jobs
