"""防止返贫致贫监测: the one queue of leads (线索) from the three channels, and the standards they are judged by."""
