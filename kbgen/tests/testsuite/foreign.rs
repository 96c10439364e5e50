//! Markdown written for another tool (a folder without kbgen.toml, like the docs of segment or
//! pingcap) builds as supplied: what would be an error in an owner's knowledge base is a warning
//! here, and only folders named by real language codes are languages.

use super::*;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The habits of segment's docs that stopped a build: `id:` shared by pages or not an address,
/// `related:` holding titles, front matter opened by `--- `, a page called `search.md`, top-level
/// folders `src/` and `api/`, templates in `.github/`, a Liquid placeholder as a title, and two
/// file names that differ only in case.
fn foreign_kb(root: &Path) {
    write(
        root,
        "src/alpha.md",
        "---\ntitle: Alpha\nid: 62bf80378e3d\n---\n\nA.\n",
    );
    write(
        root,
        "src/beta.md",
        "---\ntitle: Beta\nid: 62bf80378e3d\n---\n\nB.\n",
    );
    write(
        root,
        "src/gamma.md",
        "---\ntitle: Gamma\nid: XE0vf1bTDh\n---\n\nC.\n",
    );
    write(
        root,
        "src/delta.md",
        "--- \ntitle: Delta\nrelated: [The Alpha page]\n---\n\nD.\n",
    );
    write(root, "api/search.md", "---\ntitle: Search API\n---\n\nE.\n");
    write(
        root,
        "templates/stub.md",
        "---\ntitle: {{display_name}}\n---\n\nF.\n",
    );
    write(root, "src/guides/BigQuery-setup.md", "# BigQuery\n\nG.\n");
    write(root, "src/etl/bigquery-setup.md", "# BigQuery ETL\n\nH.\n");
    write(root, ".github/pull_request_template.md", "# PR\n");
    write(root, ".github/ISSUE_TEMPLATE/bug.md", "# Bug\n");
}

#[test]
fn foreign_markdown_builds_with_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    foreign_kb(&kb);
    let out = tmp.path().join("out");
    let (ok, _, err) = run(kbgen()
        .args(["build", "--verbose"])
        .arg(&kb)
        .arg("--out")
        .arg(&out));
    assert!(ok, "{err}");
    assert!(!err.contains("error:"), "{err}");
    for expected in [
        "src/alpha.md:1:1: warning: front matter id \"62bf80378e3d\" is shared by 2 files, so it does not name this article; using \"alpha\"",
        "src/beta.md:1:1: warning: front matter id \"62bf80378e3d\" is shared by 2 files, so it does not name this article; using \"beta\"",
        "src/gamma.md:1:1: warning: front matter id \"XE0vf1bTDh\" cannot be a page address; using \"gamma\"",
        "src/delta.md:3:11: warning: `related` names \"The Alpha page\", but no article has that id",
        "api/search.md:1:1: warning: id \"search\" is reserved: the site uses that name for its own pages; using \"search-article\"",
        "templates/stub.md:2:1: warning: `title` must be a string",
        ".github/ISSUE_TEMPLATE/bug.md: warning: this and 1 other markdown files are in hidden folders (names starting with `.`), so they are not built",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    // `src` and `api` are not languages: every page is English, at its file's name.
    for page in [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "search-article",
        "stub",
        "src-guides-bigquery-setup",
        "src-etl-bigquery-setup",
    ] {
        assert!(
            out.join("en").join(page).join("index.html").is_file(),
            "{page}"
        );
    }
    let delta = read(&out.join("en/delta/index.html"));
    assert!(
        delta.contains("<h1 id=\"article-title\">Delta</h1>"),
        "`--- ` opens front matter"
    );
    assert!(!out.join("src").exists() && !out.join("api").exists());
}

/// In the owner's own knowledge base the same ids are errors: there an id is a promise.
#[test]
fn own_knowledge_base_keeps_id_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    foreign_kb(&kb);
    write(&kb, "kbgen.toml", "[site]\ntitle = \"T\"\n");
    let (ok, _, err) = run(kbgen()
        .arg("build")
        .arg(&kb)
        .arg("--out")
        .arg(tmp.path().join("out")));
    assert!(!ok);
    assert!(err.contains("duplicate id \"62bf80378e3d\""), "{err}");
    assert!(err.contains("`related` names \"The Alpha page\""), "{err}");
    assert!(!err.contains("hidden folders"), "{err}");
}

#[test]
fn language_folders_are_real_language_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    for lang in ["en", "zh-CN", "pt-br"] {
        write(&kb, &format!("{lang}/start.md"), "# Start\n\nText.\n");
    }
    write(&kb, "api/start.md", "# API start\n\nText.\n");
    write(&kb, "src/other.md", "# Other\n\nText.\n");
    let (_tmp, out) = build(&kb);
    for lang in ["en", "zh-CN", "pt-br"] {
        assert!(out.join(lang).join("start/index.html").is_file(), "{lang}");
    }
    // Files outside the language folders are in the default language, under their path.
    assert!(out.join("en/api-start/index.html").is_file());
    assert!(out.join("en/other/index.html").is_file());
    assert!(!out.join("api").exists() && !out.join("src").exists());
}

/// A folder with a language's name among many pages outside it is a topic: pingcap's `br/`
/// (backup and restore) is not Breton.
#[test]
fn a_language_named_folder_beside_most_pages_is_a_topic() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    write(&kb, "br/backup.md", "# Backup\n\nText.\n");
    for page in ["one", "two", "three"] {
        write(&kb, &format!("{page}.md"), "# Page\n\nText.\n");
    }
    let (_tmp, out) = build(&kb);
    assert!(out.join("en/backup/index.html").is_file());
    assert!(!out.join("br").exists());
}

/// Chinese documentation without kbgen.toml or language folders (like pingcap's) is a Chinese
/// site: its pages say `lang="zh"` and speak Chinese, though its code blocks, commands and
/// product names are English. English documentation that quotes some Chinese stays English.
#[test]
fn without_configuration_the_site_speaks_the_articles_language() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("zh-docs");
    let code = "```shell\ntiup cluster deploy tidb-test v8.1.0 ./topology.yaml --user root\n\
                tiup cluster start tidb-test --init\nmysql -h 127.0.0.1 -P 4000 -u root\n```\n";
    for (page, title) in [
        ("backup", "备份与恢复"),
        ("deploy", "部署集群"),
        ("slow-query", "慢查询日志"),
    ] {
        write(
            &kb,
            &format!("{page}.md"),
            &format!("---\ntitle: {title}\n---\n\n# {title}\n\n本文介绍如何使用 TiUP 完成{title}。\n\n{code}"),
        );
    }
    write(
        &kb,
        "README.md",
        "# TiDB docs\n\nThe Chinese documentation of TiDB.\n",
    );
    let (_tmp, out) = build(&kb);
    let page = read(&out.join("zh/backup/index.html"));
    assert!(page.contains("<html lang=\"zh\""), "{page}");
    assert!(page.contains("placeholder=\"搜索帮助文章…\""), "{page}");
    assert!(
        page.contains("<title>备份与恢复 · 帮助中心</title>"),
        "{page}"
    );
    assert!(!out.join("en").exists());
    // The widget's tag names the site as its pages do.
    let (ok, tag, err) = run(kbgen().arg("snippet").arg(&kb));
    assert!(ok, "{err}");
    assert!(tag.contains(" data-site=\"帮助中心\""), "{tag}");

    let kb = tmp.path().join("en-docs");
    for page in ["shipping", "returns"] {
        write(
            &kb,
            &format!("{page}.md"),
            "# Shipping to China\n\nWe ship to 中国 (China) and 日本 (Japan) in five to ten working days.\n",
        );
    }
    let (_tmp, out) = build(&kb);
    assert!(read(&out.join("en/shipping/index.html")).contains("<html lang=\"en\""));
    assert!(!out.join("zh").exists());
}
