variable "db_password" {
  type      = string
  sensitive = true
}
resource "aws_db_instance" "main" {
  password            = var.db_password
  kms_key_id          = aws_kms_key.db.arn
  storage_encrypted   = true
}
resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
output "secret" {
  value     = aws_iam_access_key.ci.secret
  sensitive = true
}
