"""The CrewAI adapter: extraction from code, the YAML entries of ``@CrewBase`` crews, how assembly
merges them (CrewAI's ``process_config``: an explicit argument other than ``None`` wins), and the
hops between tasks. Rules are covered by their fixtures; this checks the facts they stand on."""

from __future__ import annotations

import textwrap
from pathlib import Path

from agentlint import data
from agentlint.api import check
from agentlint.config import Settings
from agentlint.engine import RunResult
from agentlint.ir import BoundStatus, Provenance
from agentlint.python.extract import extract_python

CREW = '''
from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task


@CrewBase
class ResearchCrew:
    @agent
    def researcher(self) -> Agent:
        return Agent(config=self.agents_config["researcher"], max_iter=7, max_rpm=None)

    @agent
    def writer(self) -> Agent:
        return Agent(config=self.agents_config["writer"])

    @task
    def research_task(self) -> Task:
        return Task(config=self.tasks_config["research_task"])

    @task
    def report_task(self) -> Task:
        return Task(config=self.tasks_config["report_task"], agent=self.writer())

    @task
    def notes_task(self) -> Task:
        return Task(config=self.tasks_config["notes_task"], async_execution=True)

    @task
    def final_task(self) -> Task:
        return Task(config=self.tasks_config["final_task"])

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential)
'''
AGENTS = '''
researcher:
  role: Researcher
  goal: g
  backstory: b
  max_iter: 500
  max_rpm: 30
  max_execution_time: 120
writer:
  role: >
    {topic} writer
  goal: g
  backstory: b
  allow_delegation: true
'''
TASKS = '''
research_task:
  description: d
  expected_output: e
  agent: researcher
  output_pydantic: Findings
report_task:
  description: d
  expected_output: e
  agent: researcher
  context: [research_task]
notes_task:
  description: d
  expected_output: e
  agent: writer
final_task:
  description: d
  expected_output: e
  agent: writer
'''


def _project(root: Path, files: dict[str, str]) -> RunResult:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return check([root], settings=Settings(), root=root)


def _crew_project(root: Path, overrides: dict[str, str] | None = None) -> RunResult:
    files = {"research/__init__.py": "", "research/crew.py": CREW, "research/config/agents.yaml": AGENTS,
             "research/config/tasks.yaml": TASKS}
    return _project(root, {**files, **(overrides or {})})


def test_yaml_entries_carry_positions_merges_and_roles() -> None:
    text = "base: &base\n  max_iter: 5\nresearcher:\n  <<: *base\n  role: R\n  backstory: >\n    long\n"
    entries = data.config_entries("crew/config/agents.yaml", "yaml", text)
    assert [entry.key for entry in entries] == ["base", "researcher"]
    researcher = entries[1]
    assert researcher.role == "crewai-agents"
    assert researcher.location.start.row == 3
    assert researcher.fields["max_iter"].value == 5
    assert researcher.fields["max_iter"].location.start.row == 2  # the anchor it was merged from
    assert researcher.fields["backstory"].value == "long\n"
    assert researcher.fields["backstory"].location.start.row == 6
    tasks = data.config_entries("custom/steps.yml", "yaml", "step:\n  expected_output: x\n")
    assert tasks[0].role == "crewai-tasks"
    assert data.config_entries("a.yaml", "yaml", "a:\n  b: 1\n---\nc:\n  d: 2\n") == []  # CrewAI refuses it too
    assert data.config_entries("a.toml", "toml", "backstory = 1") == []


def test_crewai_yaml_is_claimed_by_path_and_errors_stay_findings(tmp_path: Path) -> None:
    assert data.claims("pkg/config/agents.yaml", "researcher:\n  role: R\n")
    result = _project(tmp_path, {"pkg/config/tasks.yaml": "t:\n  description: a: b\n"})
    assert [(f.code, f.location.start.row) for f in result.findings] == [("AGL001", 2)]


def test_yaml_fills_defaults_and_explicit_arguments_win(tmp_path: Path) -> None:
    graph = _crew_project(tmp_path).graph
    researcher = graph.agent("research.crew.ResearchCrew.researcher")
    assert researcher is not None and researcher.name == "Researcher"
    assert researcher.config is not None and researcher.config.path == "research/config/agents.yaml"
    max_iter, rpm, seconds = (researcher.limits[key] for key in ("max_iter", "max_rpm", "max_execution_time"))
    assert (max_iter.value, max_iter.source.path) == (7, "research/crew.py")  # type: ignore[union-attr]
    assert (rpm.value, rpm.source.path) == (30, "research/config/agents.yaml")  # type: ignore[union-attr]
    assert (seconds.value, seconds.provenance, seconds.source.start.row) == (  # type: ignore[union-attr]
        120, Provenance.EXPLICIT, 7)
    writer = graph.agent("research.crew.ResearchCrew.writer")
    assert writer is not None and writer.name == "{topic} writer" and writer.allow_delegation is True
    assert writer.limits["max_iter"].provenance is Provenance.DEFAULT
    assert writer.limits["max_execution_time"].status is BoundStatus.UNBOUNDED


def test_task_names_in_yaml_resolve_to_crew_methods(tmp_path: Path) -> None:
    graph = _crew_project(tmp_path).graph
    prefix = "research.crew.ResearchCrew."
    research, report = graph.task(prefix + "research_task"), graph.task(prefix + "report_task")
    assert research is not None and report is not None
    assert (research.agent, research.output_schema, research.name) == (prefix + "researcher", "Findings", "research_task")
    assert report.agent == prefix + "writer"  # the argument in code wins over `agent: researcher`
    assert report.context == (prefix + "research_task",)
    assert report.context_location is not None and report.context_location.start.row == 10
    team = graph.team(prefix + "crew")
    assert team is not None and team.name == "ResearchCrew" and team.process == "sequential"
    assert team.tasks == tuple(prefix + name for name in ("research_task", "report_task", "notes_task", "final_task"))
    assert set(team.agents) == {prefix + "researcher", prefix + "writer"}


def test_hops_follow_context_and_the_sequential_process(tmp_path: Path) -> None:
    hops = {(hop.producer.rsplit(".", 1)[1], hop.consumer.rsplit(".", 1)[1], hop.mechanism): hop
            for hop in _crew_project(tmp_path).graph.hops()}
    assert set(hops) == {
        ("research_task", "report_task", "task-context"),
        ("report_task", "notes_task", "sequential"),  # an async task gets the last sync output only
        ("research_task", "final_task", "sequential"),  # a sync task gets every earlier output
        ("report_task", "final_task", "sequential"),
        ("notes_task", "final_task", "sequential"),
    }
    validated = hops[("research_task", "report_task", "task-context")]
    assert (validated.validated, validated.validated_by) == (True, "Findings")
    assert validated.producer_agent == "research.crew.ResearchCrew.researcher"
    assert hops[("report_task", "final_task", "sequential")].validated is False


def test_a_missing_entry_or_file_leaves_the_object_incomplete(tmp_path: Path) -> None:
    graph = _crew_project(tmp_path, {"research/config/agents.yaml": "writer:\n  role: W\n  backstory: b\n"}).graph
    assert graph.agent("research.crew.ResearchCrew.researcher").complete is False  # type: ignore[union-attr]
    moved = CREW.replace("class ResearchCrew:", 'class ResearchCrew:\n    tasks_config = "../tasks.yaml"')
    graph = _crew_project(tmp_path / "moved", {"research/crew.py": moved}).graph
    assert graph.task("research.crew.ResearchCrew.report_task").complete is False  # type: ignore[union-attr]
    assert graph.hops() == []  # neither the YAML context nor what the sequential process passes is known


def test_custom_config_path_is_relative_to_the_module(tmp_path: Path) -> None:
    custom = CREW.replace("class ResearchCrew:", 'class ResearchCrew:\n    agents_config = "../shared/team.yml"')
    graph = _crew_project(tmp_path, {"research/crew.py": custom, "shared/team.yml": AGENTS}).graph
    researcher = graph.agent("research.crew.ResearchCrew.researcher")
    assert researcher is not None and researcher.config is not None
    assert researcher.config.path == "shared/team.yml" and researcher.limits["max_rpm"].value == 30


def test_code_crews_resolve_aliases_kwargs_and_factories() -> None:
    source = '''
        import crewai
        from crewai import Agent as CrewAgent
        from crewai.agent.core import Agent as CoreAgent
        from crewai.process import Process

        OPTIONS = {"max_iter": 3, "allow_delegation": True}

        def make_writer():
            return CoreAgent(role="Writer", goal="g", backstory="b", max_execution_time=60)

        scout = CrewAgent(role="Scout", goal="g", backstory="b", **OPTIONS)
        writer = make_writer()
        find = crewai.Task(description="d", expected_output="e", agent=scout, guardrails=[])
        write = crewai.Task(description="d", expected_output="e", agent=writer, context=[find], output_json=Report)
        team = crewai.Crew(agents=[scout, writer], tasks=[find, write], process=Process.hierarchical, max_rpm=10)
    '''
    fragment = extract_python("app/crew.py", textwrap.dedent(source), "app.crew")
    agents = {agent.id: agent for agent in fragment.agents}
    assert set(agents) == {"app.crew.make_writer", "app.crew.scout"}
    scout = agents["app.crew.scout"]
    assert scout.limits["max_iter"].value == 3 and scout.allow_delegation is True
    assert set(scout.settings) == {"max_iter", "allow_delegation", "role"}
    find, write = fragment.tasks
    assert (find.agent, find.guardrail, find.context) == ("app.crew.scout", False, None)
    assert (write.agent, write.context, write.output_schema) == ("app.crew.make_writer", ("app.crew.find",), "Report")
    (team,) = fragment.teams
    assert (team.id, team.process, team.limits["max_rpm"].value) == ("app.crew.team", "hierarchical", 10)
    assert team.tasks == ("app.crew.find", "app.crew.write") and team.complete


def test_opaque_kwargs_make_tasks_incomplete_not_validated() -> None:
    source = '''
        from crewai import Task

        def build(options):
            return Task(description="d", expected_output="e", **options)
    '''
    (task,) = extract_python("a.py", textwrap.dedent(source), "a").tasks
    assert task.complete is False and task.output_schema is None and task.guardrail is False


def test_kickoff_sites_and_fan_out_width_and_cap() -> None:
    source = '''
        from crewai import Crew

        crew = Crew(agents=[], tasks=[])
        FIXED = [{"a": 1}]

        async def run(rows, pages):
            crew.kickoff(inputs={"a": 1})
            await crew.kickoff_for_each_async(rows)
            await crew.akickoff_for_each(inputs=FIXED)
            await crew.akickoff_for_each(inputs=rows[:10])
            for page in chunked(pages, 3):
                await crew.kickoff_for_each_async(list(page))
    '''
    fragment = extract_python("a.py", textwrap.dedent(source), "a")
    assert [run.method for run in fragment.run_sites] == [
        "kickoff", "kickoff_for_each_async", "akickoff_for_each", "akickoff_for_each", "kickoff_for_each_async"]
    assert {run.target for run in fragment.run_sites} == {"a.crew"}
    shapes = [(fan.mechanism.rsplit(".", 1)[1], fan.width, fan.cap.status) for fan in fragment.fan_outs]
    assert shapes == [
        ("kickoff_for_each_async", BoundStatus.UNBOUNDED, BoundStatus.UNBOUNDED),
        ("akickoff_for_each", BoundStatus.BOUNDED, BoundStatus.UNBOUNDED),
        ("akickoff_for_each", BoundStatus.UNBOUNDED, BoundStatus.BOUNDED),
        ("kickoff_for_each_async", BoundStatus.UNBOUNDED, BoundStatus.BOUNDED),
    ]


def test_crew_run_through_a_reexported_class(tmp_path: Path) -> None:
    result = _crew_project(tmp_path, {
        "research/__init__.py": '"""The crewai crews."""\nfrom research.crew import ResearchCrew\n',
        "main.py": "from research import ResearchCrew\n\n"
                   "async def go(rows):\n    return await ResearchCrew().crew().kickoff_for_each_async(rows)\n",
    })
    assert [f.code for f in result.findings if f.location.path == "main.py"] == ["AGL304"]


def test_flow_triggers_and_state_writes() -> None:
    source = '''
        import threading
        from crewai.flow.flow import Flow, and_, listen, or_, router, start

        LABEL = "done"

        class Pipeline(Flow):
            lock = threading.Lock()

            @start()
            def begin(self):
                self.state.count = 0

            @listen(begin)
            def one(self):
                self.state.count += 1
                self.state.items += ["x"]
                self.state["log"].append(1)
                self.state.table["k"] = 2
                self.state.total = self.state.total + 1
                with self.lock:
                    self.state.flag = True

            @listen(or_("begin", and_(one, LABEL)))
            async def two(self):
                self.state.cost += await price()
                def later():
                    self.state.hidden = 1

            @router(one)
            def route(self):
                return LABEL
    '''
    (flow,) = extract_python("a.py", textwrap.dedent(source), "a").flows
    methods = {method.name: method for method in flow.methods}
    assert flow.complete and set(methods) == {"begin", "one", "two", "route"}
    assert (methods["one"].kind, methods["one"].triggers) == ("listen", ("begin",))
    assert (methods["two"].triggers, methods["two"].events) == (("begin",), ("begin", "one", "done"))
    assert methods["route"].kind == "router" and methods["begin"].triggers == ()
    writes = [(write.field, write.kind, write.locked) for write in methods["one"].state_writes]
    assert writes == [("count", "update", False), ("items", "mutate", False), ("log", "mutate", False),
                      ("table", "mutate", False), ("total", "update", False), ("flag", "assign", True)]
    (cost,) = methods["two"].state_writes
    assert (cost.field, cost.kind, cost.awaits) == ("cost", "update", True)


def test_crews_imported_from_other_modules_are_found(tmp_path: Path) -> None:
    result = _project(tmp_path, {
        "app/__init__.py": "",
        "app/crews.py": """
            from crewai import Agent, Crew, Task

            analyst = Agent(role="A", goal="g", backstory="b")
            crew = Crew(agents=[analyst], tasks=[Task(description="d", expected_output="e", agent=analyst)])

            def build_crew():
                return Crew(agents=[analyst], tasks=[])
        """,
        "app/run.py": """
            from app.crews import build_crew, crew

            async def go(rows):
                await crew.kickoff_for_each_async(rows)
                fresh = build_crew()
                await fresh.akickoff_for_each(inputs=rows)
        """,
    })
    assert {team.id for team in result.graph.teams} == {"app.crews.crew", "app.crews.build_crew"}
    assert [(f.code, f.location.start.row) for f in result.findings] == [("AGL304", 4), ("AGL304", 6)]


def test_inherited_crew_methods_leave_the_crew_incomplete() -> None:
    source = '''
        from crewai import Crew
        from crewai.project import CrewBase, crew

        @CrewBase
        class Extended(BaseCrew):
            @crew
            def crew(self) -> Crew:
                return Crew(agents=self.agents, tasks=self.tasks)

        class Batch:
            def __init__(self):
                self.samples = [{"a": 1}, {"a": 2}]

            async def run(self):
                return await Extended().crew().akickoff_for_each(self.samples)
    '''
    fragment = extract_python("a.py", textwrap.dedent(source), "a")
    (team,) = fragment.teams
    assert (team.id, team.complete) == ("a.Extended.crew", False)
    (fan_out,) = fragment.fan_outs
    assert (fan_out.spawns, fan_out.width) == ("a.Extended.crew", BoundStatus.BOUNDED)
