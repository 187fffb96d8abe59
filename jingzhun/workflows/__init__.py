"""Workflows (工作流程): 精准识别, 户退出, 返贫, 清退 and 人员变更 as recorded procedures, the 公示 batches
between their steps, and the dynamic adjustment ledger (动态调整) every completed procedure writes to.
"""
