//! `cargo xtask <task>`: the project's tasks that cargo alone cannot express.

fn main() -> anyhow::Result<()> {
    Ok(())
}
