"""``python -m emotion_gan`` runs the Kedro CLI for this project."""

from pathlib import Path

from kedro.framework.cli.utils import find_run_command
from kedro.framework.project import configure_project


def main() -> None:
    """Run the project's Kedro CLI with the package configured."""
    configure_project(Path(__file__).parent.name)
    find_run_command(Path(__file__).parent.name)()


if __name__ == "__main__":
    main()
