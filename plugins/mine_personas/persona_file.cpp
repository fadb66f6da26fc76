#include "persona_file.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::mine_personas {
namespace {

std::string text_of(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return {sb.GetString(), sb.GetSize()};
}

TaskRecord task_at(const rapidjson::Value& v, const std::string& where) {
  try {
    TaskRecord t = task_from_json_lenient(text_of(v));
    if (t.id.empty()) throw RecordError("missing \"id\"");
    return t;
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
}

}  // namespace

const std::vector<TaskRecord>* PersonaFile::find(const std::string& persona) const {
  for (const auto& [name, tasks] : personas)
    if (name == persona) return &tasks;
  return nullptr;
}

std::string PersonaFile::names() const {
  std::string out;
  for (const auto& [name, tasks] : personas) out += (out.empty() ? "" : ", ") + name;
  return out;
}

PersonaFile read_persona_file(const std::string& path) {
  PersonaFile f;
  f.path = path;
  auto text = read_file(path);
  if (!text) throw Error("cannot read persona file " + path);
  rapidjson::Document d;
  if (const auto err = skillpipe::detail::parse_json(d, *text)) throw Error(path + ": " + err.message());
  if (!d.IsObject() || !d.HasMember("personas") || !d["personas"].IsObject())
    throw Error(path + ": expected an object with \"personas\": {name: [tasks]}");
  std::set<std::string> ids;
  for (auto m = d["personas"].MemberBegin(); m != d["personas"].MemberEnd(); ++m) {
    const std::string name = m->name.GetString();
    const std::string where = path + ": personas/" + name;
    if (!m->value.IsArray()) throw Error(where + ": expected an array of tasks");
    std::vector<TaskRecord> tasks;
    for (rapidjson::SizeType i = 0; i < m->value.Size(); ++i) {
      TaskRecord t = task_at(m->value[i], where + "/" + std::to_string(i));
      if (!ids.insert(name + "\n" + t.id).second) throw Error(where + ": duplicate task id '" + t.id + "'");
      tasks.push_back(std::move(t));
    }
    if (tasks.empty()) throw Error(where + ": has no tasks");
    f.personas.emplace_back(name, std::move(tasks));
  }
  if (f.personas.empty()) throw Error(path + ": \"personas\" is empty");
  if (d.HasMember("harmful_task") && !d["harmful_task"].IsNull()) {
    if (!d["harmful_task"].IsObject()) throw Error(path + ": harmful_task: expected a task object");
    f.harmful = task_at(d["harmful_task"], path + ": harmful_task");
  }
  return f;
}

}  // namespace skillpipe::mine_personas
