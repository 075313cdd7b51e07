"""Environments from the SWE-bench harness's per-repository, per-version specs: the Python pack's
``Provider`` of ``rfsn.buildpacks.instances`` (``environment.PROVIDER``), all of it here.

``upstream`` reads the ``swebench`` package's tables (specs, log parsers, requirement paths,
test directives); ``metadata`` what the project's tree at a commit says; ``specs`` renders a
spec as an env recipe; ``environment`` chooses the buildpack: ``specpytest`` when the spec runs
pytest, else ``harnessrun`` (its runner's output read by ``runners``); ``patchtree`` and
``patched``: the env when a patch edits the project's metadata. A repository the ``swebench``
package specifies needs nothing more; one whose runner is neither pytest nor known to
``runners.RUNNERS`` gets the harness's log parser alone, and a row there for more.
"""
