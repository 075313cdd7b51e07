"""One instance, in a worker, the way the SWE-bench harness treats it.

``repos`` gives a private checkout at the instance's base commit; ``specenv`` chooses its
buildpack: the one its spec prescribes (``rfsn.buildpacks.instances``; SWE-bench's specs are
the Python pack's ``swebench``), else the selected one; ``patching`` applies predictions and
test patches with the harness's fallbacks; ``envcheck`` (with ``basecheck``) checks that the
environment can grade the instance at all; ``grading`` selects the tests and reads a verdict
from their statuses; ``instance`` runs all of it for one prediction (each run as ``runs`` has
it) and returns its ``Outcome``; ``suite`` says what a repair session runs for the whole suite.
The commands in ``rfsn.batch`` call in here; nothing here calls back.
"""
