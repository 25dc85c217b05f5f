"""gunicorn's gthread worker, taking a new connection only while one of its threads is free.

The stock worker accepts every connection it is offered, up to ``worker_connections`` (1,000), and keeps each for
its life. A burst of new connections (a load balancer or proxy opening its pool, a load test) can then land on
one worker, which serves them all on one core while the other workers idle; measured here, a page served at about
half its rate in one run of three (docs/performance.md). This worker stops accepting while all its threads are
busy, so the next connection waits in the listening socket for a worker that has a free thread. Connections kept
alive between requests do not count: they hold no thread, and a worker still answers them at once.
"""

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    @property
    def worker_connections(self):
        """The number of connections under which the worker accepts more (gunicorn's loop compares it with
        ``nr_conns``): those waiting between requests, plus one per thread, within the configured cap."""
        idle = len(self.keepalived_conns) + len(self.pending_conns)
        return min(self._configured_connections, idle + self.cfg.threads)

    @worker_connections.setter
    def worker_connections(self, value):
        self._configured_connections = value
