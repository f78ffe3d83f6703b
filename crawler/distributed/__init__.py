"""The shared frontier on Redis (docs/scale-out.md): any number of `sma worker` processes, on any number
of machines, pull page requests of account crawls from one Redis. scrapy-redis's queue, scheduler and
duplicate filter with a lease (visibility timeout) on every claimed page, a payload-digest index for
revisit records across workers and crawls, and per-crawl completion tracking."""
