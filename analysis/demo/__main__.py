"""``python -m analysis.demo``: write the synthetic demo inputs."""
import sys

from analysis.demo.gpw import main

sys.exit(main())
