#!/usr/bin/env python3
"""Turns the guides in Docs/ into DocC articles for `make docs`.

Usage: docs_articles.py DOCS_DIR CATALOG_ARTICLES_DIR

Each Docs/NAME.md becomes CATALOG_ARTICLES_DIR/NAME.md: links to another guide ([text](Other.md#part))
become DocC links (<doc:Other>), links to files outside Docs/ become their path in code voice (the
site has no repository files), and pictures (charts/, research/) are copied beside the articles and
referenced by file name, as DocC resolves images; a title loses its backticks (the sidebar would
show them). The guides stay the one source: the articles
folder is generated (and ignored by git).
"""
import pathlib
import re
import shutil
import sys

LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
# Guides whose file name is also a symbol's (DocC would drop the article) or a heading's (links
# would be ambiguous) get another name.
RENAMED = {"Models": "PredefinedModels", "Compression": "ModelCompression", "Training": "TrainingGuide",
           "Transformer": "TransformerGuide"}


def article_name(stem: str) -> str:
    return RENAMED.get(stem, stem)


def convert(text: str, guides: set, images: dict) -> str:
    def replace(match: re.Match) -> str:
        bang, label, target = match.groups()
        if re.match(r"^[a-z]+://", target):
            return match.group(0)
        path = target.split("#")[0]
        if bang:
            name = pathlib.PurePosixPath(path).name
            images[name] = path
            return f"![{label}]({name})"
        stem = pathlib.PurePosixPath(path).stem
        if path.endswith(".md") and stem in guides:
            return f"<doc:{article_name(stem)}>"
        return f"{label} (`{path}`)" if label and label != path else f"`{path}`"

    lines, fenced = [], False
    for number, line in enumerate(text.splitlines()):
        if number == 0 and line.startswith("# "):
            lines.append(line.replace("`", ""))   # the title: DocC's sidebar shows backticks literally
            continue
        if line.lstrip().startswith("```"):
            fenced = not fenced
            lines.append(line)
            continue
        lines.append(line if fenced else LINK.sub(replace, line))
    return "\n".join(lines) + "\n"


def main() -> int:
    docs, articles = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    if articles.exists():
        shutil.rmtree(articles)
    articles.mkdir(parents=True)
    guides = {path.stem for path in docs.glob("*.md")}
    for path in sorted(docs.glob("*.md")):
        images: dict = {}
        (articles / f"{article_name(path.stem)}.md").write_text(convert(path.read_text(encoding="utf-8"), guides, images), encoding="utf-8")
        for name, relative in images.items():
            shutil.copyfile(docs / relative, articles / name)
    print(f"{len(guides)} guides from {docs} as DocC articles in {articles}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
