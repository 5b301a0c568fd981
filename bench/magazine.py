"""Benchmark the magazine build: a generated 48-page A4 issue with 8 large photos.

Measures (medians of --runs): build time per page (both editions, images included) from a
cold cache and after a text-only edit (image copies cached), the CPU time those builds use
(all processes), peak memory, screen and print sizes, an unchanged rebuild; beside plain
WeasyPrint on the same HTML with the original photos (no image step). The EPUB edition is
timed on its own (in this process, image copies cached, as in a build) against the two PDF
editions of the same text-only rebuild. The machine may be
shared, so the load average is printed too. Run: .venv/bin/python bench/magazine.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import HTML

from pipeline.commands.load import load_project
from pipeline.magazine.build import build_issues
from pipeline.magazine.epub import write_epub
from pipeline.magazine.render import issue_html
from tests.magazine_tree import PARAGRAPH, article, make_tree

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def make_issue(root: Path) -> None:
    """Write 8 articles of ~5 pages each, one 4000x3000 photo per article."""
    photos = {f"photo{i}.jpg": (4000, 3000) for i in range(8)}
    articles = {}
    for i in range(8):
        body = (PARAGRAPH * 4 + "\n\n") * 10
        body += f'![Photo {i}](photo{i}.jpg "A large photo, {i}.")\n\n'
        body += (PARAGRAPH * 4 + "\n\n") * 12 + "Note.[^1]\n\n[^1]: A footnote.\n"
        articles[f"{i + 1:02}-a.md"] = article(f"Article {i + 1}", body, authors=["A. Writer"])
    make_tree(root, articles=articles, page_size="A4", cover=(2000, 2800), photos=photos)


def plain_weasyprint(root: Path, out: Path) -> tuple[float, float]:
    """Render the screen HTML with stock WeasyPrint (default fetcher, original photos): wall, CPU."""
    project = load_project(root, now=NOW, stages=("magazine",))
    issue = project.issues[0]
    html = issue_html(project.config, issue, "screen")
    start, cpu = time.perf_counter(), time.process_time()
    HTML(string=html, base_url=issue.folder.as_uri() + "/").write_pdf(out, pdf_tags=True)
    return time.perf_counter() - start, time.process_time() - cpu


def cpu_seconds() -> float:
    """Return the user + system CPU time of this process and its finished children."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_build(root: Path) -> tuple[float, float, object]:
    """Load and build the issue; return (wall seconds, CPU seconds, the issue's result)."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    project = load_project(root, now=NOW, stages=("magazine",))
    result = build_issues(project)[0]
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def edit_text(path: Path, original: str, run: int) -> None:
    """Change one article's text only, as an editor fixing a sentence would."""
    path.write_text(original + f"\nA corrected sentence, version {run}.\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="magazine-bench-"))
    try:
        make_issue(work / "tree")
        edited_file = work / "tree" / "issues" / "no-1" / "03-a.md"
        original = edited_file.read_text("utf-8")
        load = os.getloadavg()[0]
        cold, cold_cpu, text, text_cpu, warm, plain, plain_cpu = [], [], [], [], [], [], []
        epub, epub_cpu = [], []
        for run in range(args.runs):
            shutil.rmtree(work / "tree" / "build", ignore_errors=True)
            shutil.rmtree(work / "tree" / ".local", ignore_errors=True)
            edited_file.write_text(original, "utf-8")
            wall, cpu, result = timed_build(work / "tree")
            cold.append(wall)
            cold_cpu.append(cpu)
            edit_text(edited_file, original, run)
            wall, cpu, edited = timed_build(work / "tree")
            assert edited.built
            text.append(wall)
            text_cpu.append(cpu)
            start = time.perf_counter()
            project = load_project(work / "tree", now=NOW, stages=("magazine",))
            again = build_issues(project)[0]
            warm.append(time.perf_counter() - start)
            assert not again.built
            for _ in range(3):
                start, cpu_start = time.perf_counter(), time.process_time()
                write_epub(project.config, project.issues[0], work / "bench.epub")
                epub.append(time.perf_counter() - start)
                epub_cpu.append(time.process_time() - cpu_start)
            # In a fresh process, as a render worker is: nothing left over from the builds.
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                wall, cpu = pool.submit(
                    plain_weasyprint, work / "tree", work / "plain.pdf"
                ).result()
            plain.append(wall)
            plain_cpu.append(cpu)
        load_after = os.getloadavg()[0]
        pages = result.pages or 0
        peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        screen = result.pdf.stat().st_size / 1e6
        printed = result.print_pdf.stat().st_size / 1e6
        unprocessed = (work / "plain.pdf").stat().st_size / 1e6
        rows = [
            ("pages", f"{pages}"),
            ("cores", f"{os.cpu_count()}"),
            ("load average (1 min) before / after", f"{load:.1f} / {load_after:.1f}"),
            (
                "full build, both editions + images, cold cache (median)",
                f"{statistics.median(cold):.2f} s",
            ),
            ("  per page", f"{statistics.median(cold) / pages:.3f} s"),
            ("  CPU time, all processes", f"{statistics.median(cold_cpu):.2f} s"),
            ("text-only edit, image copies cached (median)", f"{statistics.median(text):.2f} s"),
            ("  per page", f"{statistics.median(text) / pages:.3f} s"),
            ("  CPU time, all processes", f"{statistics.median(text_cpu):.2f} s"),
            (
                "plain WeasyPrint, screen HTML only, original photos",
                f"{statistics.median(plain):.2f} s",
            ),
            ("  per page", f"{statistics.median(plain) / pages:.3f} s"),
            ("  CPU time", f"{statistics.median(plain_cpu):.2f} s"),
            ("unchanged rebuild (load + hash + skip)", f"{statistics.median(warm):.3f} s"),
            (
                "peak memory, largest child process / main process",
                f"{peak_children:.0f} MB / {peak_self:.0f} MB",
            ),
            ("screen PDF", f"{screen:.2f} MB ({100 * screen / unprocessed:.0f}% of unprocessed)"),
            ("print PDF (300 dpi CMYK, PDF/X-4)", f"{printed:.2f} MB"),
            ("plain WeasyPrint PDF (unprocessed photos)", f"{unprocessed:.2f} MB"),
            ("EPUB edition, image copies cached (median)", f"{statistics.median(epub):.3f} s"),
            ("  CPU time", f"{statistics.median(epub_cpu):.3f} s"),
            (
                "  share of the text-only rebuild of both PDFs: wall / CPU",
                f"{100 * statistics.median(epub) / statistics.median(text):.1f}% / "
                f"{100 * statistics.median(epub_cpu) / statistics.median(text_cpu):.1f}%",
            ),
            ("EPUB", f"{(work / 'bench.epub').stat().st_size / 1e6:.2f} MB"),
        ]
        print("| measure | value |\n|---|---|")
        for name, value in rows:
            print(f"| {name} | {value} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
