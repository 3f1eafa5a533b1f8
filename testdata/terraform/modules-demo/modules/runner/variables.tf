variable "instances" {
  type    = number
  default = 1
}
