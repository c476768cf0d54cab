"""Operations views over the whole deployment: /health/, /metrics, the status dashboard, `shop_status`."""
