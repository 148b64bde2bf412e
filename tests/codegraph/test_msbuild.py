"""C# project usings from MSBuild files (`msbuild.project_usings`)."""

from __future__ import annotations

from activities.codegraph.msbuild import is_msbuild_file, project_usings, usings_for

OLD_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <ItemGroup Condition="'$(TargetFramework)' == 'net8.0'">
    <Using Include="Acme.Core" />
    <Using Include="Acme.Helpers" Static="true" />
  </ItemGroup>
</Project>
"""


def test_msbuild_files_are_the_projects_and_directory_files() -> None:
    assert is_msbuild_file("src/App/App.csproj")
    assert is_msbuild_file("Directory.Build.props")
    assert is_msbuild_file("src/Directory.Build.targets")
    assert not is_msbuild_file("src/App/App.fsproj")
    assert not is_msbuild_file("eng/Test.targets")  # only reached by an <Import>


def test_each_project_takes_the_nearest_directory_files_in_msbuild_order() -> None:
    """Props, then the project, then targets; `Remove` takes out what came before it, and a
    Directory.Build.props deeper down hides the one at the top (MSBuild imports the nearest)."""
    usings = project_usings(
        {
            "Directory.Build.props": (
                '<Project><ItemGroup><Using Include="Top" /></ItemGroup></Project>'
            ),
            "Directory.Build.targets": (
                '<Project><ItemGroup><Using Remove="B" /><Using Include="Late" /></ItemGroup>'
                "</Project>"
            ),
            "src/A/A.csproj": '<Project><ItemGroup><Using Include="A;B" /></ItemGroup></Project>',
            "test/Directory.Build.props": "<Project />",
            "test/T/T.csproj": (
                '<Project><ItemGroup><Using Include="T" Alias="X" /></ItemGroup></Project>'
            ),
            "tools/Tools.csproj": "<Project />",
        }
    )
    assert usings == {
        "src/A": [["Top", None], ["A", None], ["Late", None]],
        "test/T": [["T", "X"], ["Late", None]],
        "tools": [["Top", None], ["Late", None]],
    }
    assert usings_for(usings, "src/A/Sub/Deep/F.cs") == usings["src/A"]
    assert usings_for(usings, "src/Loose.cs") == []


def test_old_style_projects_and_static_usings_count_and_expressions_do_not() -> None:
    """A static using names a class (its members come in): resolution reads it as a path."""
    assert project_usings({"App/App.csproj": OLD_STYLE}) == {
        "App": [["Acme.Core", None], ["Acme.Helpers", None]]
    }
    bad = '<Project><ItemGroup><Using Include="$(RootNamespace);A.*" /></ItemGroup></Project>'
    assert project_usings({"App/App.csproj": bad}) == {"App": []}


def test_broken_or_hostile_files_give_nothing() -> None:
    """A file that is not XML gives no usings; so does one declaring entities (a billion
    laughs would expand them), though the other projects keep theirs. Each is still a
    project: it bounds where its files' `global using` lines reach."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "Acme.Core">]>'
        '<Project><ItemGroup><Using Include="&a;" /></ItemGroup></Project>'
    )
    usings = project_usings(
        {
            "A/A.csproj": "<Project><ItemGroup><Using Include=",
            "B/B.csproj": laughs,
            "C/C.csproj": '<Project><ItemGroup><Using Include="C" /></ItemGroup></Project>',
        }
    )
    assert usings == {"A": [], "B": [], "C": [["C", None]]}
