"""Spark, an optional heavy engine: PySpark is the `spark` extra, imported only when asked for."""

from __future__ import annotations

import tempfile

#: the one place that says what to install for anything that runs on Spark
INSTALL_HINT = "the Spark engine needs PySpark: pip install 'jingzhun[spark]'"


def require_pyspark():
    """The pyspark.sql module, or an ImportError that says what to install."""
    try:
        import pyspark.sql
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return pyspark.sql


def spark_session():
    """A local Spark session fit for Splink (a checkpoint directory is required for predict)."""
    sql = require_pyspark()
    spark = (sql.SparkSession.builder.master("local[2]").appName("jingzhun")
             .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="jingzhun-spark-"))
    return spark
