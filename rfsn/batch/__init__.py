"""SWE-bench-style runs over many instances: the three commands and what they share.

The commands are the modules named by their verb: ``infer`` (``rfsn batch``: repair each
instance, write predictions), ``evaluate`` (``rfsn evaluate``: grade predictions as the
harness does) and ``validate`` (``rfsn validate``: is each instance usable here). What they
share at the level of a run sits beside them: reading instances and record files
(``instances``, ``records``), the resumable run logs (``predictions``), one ``Outcome`` row
per instance and its ``ErrorKind`` (``outcome``), the executors that run instances in
parallel, the progress display and the reports. The work on one instance, inside a worker,
is the ``harness`` subpackage; nothing there imports a command.
"""
