"""The project's figures: one style (:mod:`.style`) and the figures of the seven emotion
classes (:mod:`.emotions`). Pure functions returning matplotlib Figures or PIL images; no
pyplot (no global figure registry, nothing to close), no Kedro, no files."""
