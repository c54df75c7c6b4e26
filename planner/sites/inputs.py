"""Which sites a multi-site run plans, and each site's data folder.

Two ways in:

- :func:`find_sites`: a folder whose subfolders are data folders, one per site (each with its own
  ``planner.toml``, time zone and opening hours). The site's name is the subfolder's.
- :func:`split_by_site`: one data folder whose agents carry a ``site``. Each site gets a data folder
  of its own: its agents and their skills, availability and training, and its share of the history.

How the history is shared out: a case with a ``site`` of its own (a ``site`` column in cases.csv or
volumes.csv) belongs to that site; otherwise a case belongs to the site of the agent who handled it,
and a case no agent handled (abandoned) to the site that handled most of its case type's cases. So
each site's forecast is made from the demand its own agents met, with its own daily shape: a case
type served by several sites is forecast per site, as the history shares it out.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import ContractError, MissingInputError, Problem
from planner.io.writers import new_dir_mode

CONFIG_FILE = "planner.toml"
# Data-folder files keyed by agent, and the history files (cases or volumes).
BY_AGENT = ("skills.csv", "availability.csv", "training.csv")
HISTORY = ("cases.csv", "volumes.csv")
SPLIT_FOLDER = "_split"


@dataclass(frozen=True)
class Site:
    """One site of a multi-site run: its name (its run folder's name) and its data folder."""

    name: str
    data: Path


def check_name(name: str, where: str) -> str:
    """A site name usable as a folder name of the run; a ContractError naming ``where`` if not."""
    if (not name or name != name.strip() or name.startswith((".", "_")) or "/" in name
            or "\\" in name or "\0" in name or len(name) > 100):
        raise ContractError([Problem(where, None, "site", name,
                                     "a site name usable as a folder name (not empty, no slash, not "
                                     "starting with '.' or '_', at most 100 characters)")])
    return name


def find_sites(root: str | Path) -> list[Site]:
    """Every subfolder of ``root`` that holds a data folder, in name order.

    A subfolder counts when it holds ``planner.toml`` or any input file; one that holds input files
    but no ``planner.toml`` is still a site (it fails, by name, when it runs).
    """
    root = Path(root)
    if not root.is_dir():
        raise ContractError([Problem(str(root), None, None, None, "a folder of site data folders")])
    names = (CONFIG_FILE, "cases.csv", "cases.csv.gz", "volumes.csv", "volumes.csv.gz", "agents.csv")
    sites = [Site(p.name, p) for p in sorted(root.iterdir())
             if p.is_dir() and not p.name.startswith((".", "_")) and any((p / n).exists() for n in names)]
    if not sites:
        raise MissingInputError(f"{root} holds no site data folders (subfolders with planner.toml)")
    return sites


def _read(path: Path) -> pd.DataFrame:
    # Text as written, so that a site's files hold exactly the rows of the whole folder.
    return pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer")


def _source(folder: Path, name: str) -> Path | None:
    for cand in (folder / name, folder / f"{name}.gz"):
        if cand.exists():
            return cand
    return None


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def _site_of_history(frame: pd.DataFrame, agent_site: dict[str, str], file: str) -> pd.Series:
    """The site each history row belongs to (see the module docstring)."""
    if "site" in frame.columns:
        return frame["site"]
    if "agent_id" not in frame.columns:
        raise ContractError([Problem(file, None, "site", None,
                                     "a site column (or an agent_id column) to share the history "
                                     "out by site")])
    site = frame["agent_id"].map(agent_site).fillna("")
    handled = frame[site != ""]
    if len(handled):
        main = (handled.groupby("case_type")["agent_id"].apply(lambda a: a.map(agent_site).mode().iloc[0]))
        site = site.where(site != "", frame["case_type"].map(main).fillna(""))
    return site


def split_by_site(data: str | Path, dest: str | Path) -> list[Site]:
    """Write one data folder per site of ``data``'s agents.csv under ``dest``; the sites.

    Every other file (planner.toml, events.csv) is copied to each site unchanged. ``dest`` is
    replaced as a whole (written beside it and renamed into place).
    """
    data, dest = Path(data), Path(dest)
    agents_path = data / "agents.csv"
    if not agents_path.exists():
        raise MissingInputError(f"--split-by site needs {agents_path} with a site column")
    agents = _read(agents_path)
    if "site" not in agents.columns:
        raise ContractError([Problem(str(agents_path), None, "site", None,
                                     "a site column naming each agent's site")])
    blank = [i + 2 for i, s in enumerate(agents["site"]) if not s.strip()]
    if blank:
        raise ContractError([Problem(str(agents_path), r, "site", "", "the agent's site") for r in blank[:20]])
    for i, s in enumerate(agents["site"]):
        check_name(s, f"{agents_path}, row {i + 2}")
    names = sorted(set(agents["site"]))
    agent_site = dict(zip(agents["agent_id"], agents["site"], strict=True))
    tables: dict[str, tuple[pd.DataFrame, pd.Series]] = {}
    for name in BY_AGENT:
        src = _source(data, name)
        if src is not None:
            frame = _read(src)
            tables[name] = (frame, frame["agent_id"].map(agent_site).fillna(""))
    for name in HISTORY:
        src = _source(data, name)
        if src is not None:
            frame = _read(src)
            site_of = _site_of_history(frame, agent_site, str(src))
            if "site" in frame.columns:
                unknown = [int(i) + 2 for i in (~site_of.isin(names)).to_numpy().nonzero()[0][:20]]
                if unknown:
                    raise ContractError([Problem(str(src), r, "site", str(site_of.iloc[r - 2]),
                                                 f"one of the sites of agents.csv ({', '.join(names)})")
                                         for r in unknown])
            tables[name] = (frame, site_of)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        staging.chmod(new_dir_mode())
        for site in names:
            folder = staging / site
            folder.mkdir()
            for p in sorted(data.iterdir()):
                known = p.name.removesuffix(".gz")
                if p.is_file() and known not in (*BY_AGENT, *HISTORY, "agents.csv"):
                    shutil.copy2(p, folder / p.name)
            _write(agents[agents["site"] == site], folder / "agents.csv")
            for name, (frame, site_of) in tables.items():
                _write(frame[site_of == site], folder / name)
        old = dest.parent / f".{dest.name}.old"
        if dest.exists():
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
        staging.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [Site(s, dest / s) for s in names]
