"""Survey pages, by topic: ``survey`` (list, detail, definition download), ``editor`` (create,
import, edit, questions and sections, schedule, transitions), ``answer`` (preview and the answer
pages), ``results`` (results with charts, exports). Views are thin: reads come from
``selectors``, writes go through ``services`` / ``editing``, domain errors reach the page through
``config.pages``."""
